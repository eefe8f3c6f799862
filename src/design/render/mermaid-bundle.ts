import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
let cached: Promise<string> | undefined;

/**
 * Mermaid's browser bundle (`mermaid/dist/mermaid.min.js`, about 3.5 MB), gzipped and base64-encoded
 * (about 1.3 MB) so a self-contained HTML page can embed it and inflate it with
 * `DecompressionStream('gzip')`. Read from the installed package once per process.
 *
 * @throws when the mermaid package is not installed
 */
export function mermaidBundleGzipBase64(): Promise<string> {
  cached ??= (async () => {
    const file = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    const source = await readFile(file);
    // Node writes mtime 0 into the gzip header, so the same bundle always gives the same bytes.
    const packed = await gzipAsync(source, { level: 9 });
    return packed.toString('base64');
  })();
  return cached;
}
