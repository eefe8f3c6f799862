import { LineCounter, parseDocument, isMap, isSeq, isScalar, isAlias, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ReadResult, SpecDocument, SpecPath } from './spec-document.ts';

/**
 * Reads spec YAML into a {@link SpecDocument} that remembers every node's position.
 *
 * @example
 * const { document, problems } = parseYamlSpec(text, 'archspec.yaml');
 */
export function parseYamlSpec(text: string, file: string): ReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // A syntax error makes every later token look wrong too: report the first one only, since the
  // rest are usually its echoes. Duplicate keys are independent mistakes and are all reported.
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const problems = doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY' || e === firstSyntax)
    .map((e) => ({
      code: e.code === 'DUPLICATE_KEY' ? ('yaml_duplicate_key' as const) : ('yaml_syntax' as const),
      message: e.code === 'DUPLICATE_KEY' ? 'this key is already used in the same mapping' : e.message.split('\n')[0]!,
      at: at(e.pos[0]),
    }));
  if (problems.length) return { problems };

  const locate: SpecDocument['locate'] = (path, options) => {
    const found = walk(doc.contents as Node | null, path, keyIndex);
    const node = options?.key && found.pair && found.complete ? found.pair.key : found.node;
    const range = (node as Node | undefined)?.range;
    return range ? at(range[0]) : at(0);
  };
  const dangling = danglingAlias(doc);
  if (dangling) return { problems: [{ code: 'yaml_syntax', message: `alias *${dangling.name} refers to no anchor &${dangling.name} above it`, at: at(dangling.offset) }] };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { problems: [{ code: 'yaml_syntax', message: (e as Error).message, at: at(0) }] };
  }
  return { document: { file, data, locate }, problems: [] };
}

interface Found {
  node: unknown;
  pair?: Pair;
  complete: boolean;
}

/**
 * Per-mapping index of key -> pair, built on first use: models locate every item, and a linear
 * search per step made large specs (hundreds of endpoints) quadratic.
 */
function keyIndex(map: YAMLMap): Map<string, Pair> {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    for (const it of map.items) {
      const k = isScalar(it.key) ? String(it.key.value) : String(it.key);
      if (!index.has(k)) index.set(k, it as Pair);
    }
    indexes.set(map, index);
  }
  return index;
}
const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/** Follows `path` as far as it exists; returns the deepest node reached. */
function walk(root: Node | null, path: SpecPath, pairsOf: (map: YAMLMap) => Map<string, Pair>): Found {
  let node: unknown = root;
  let pair: Pair | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const p = pairsOf(node).get(String(step));
      if (!p) return { node, pair, complete: false };
      pair = p as Pair;
      node = p.value ?? p.key;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      pair = undefined;
      node = node.items[step];
    } else {
      return { node, pair, complete: false };
    }
  }
  return { node, pair, complete: true };
}

/** The first alias whose anchor does not exist (yaml only notices when converting, without a position). */
function danglingAlias(doc: ReturnType<typeof parseDocument>): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!found && isAlias(node) && node.resolve(doc) === undefined) {
        found = { name: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
