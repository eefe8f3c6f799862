import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { ReadResult, SpecDocument, SpecPath } from './spec-document.ts';

/**
 * Loads `archspec.config.ts` (`export default defineSystem({...})`) without a build step, and maps
 * spec paths back to the object literal's source positions with the TypeScript parser.
 */
export async function loadTypeScriptSpec(absolute: string, file: string, text: string): Promise<ReadResult> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const at = (pos: number) => {
    const { line, character } = source.getLineAndCharacterOfPosition(pos);
    return { file, line: line + 1, column: character + 1 };
  };
  let data: unknown;
  try {
    const { tsImport } = await import('tsx/esm/api');
    const mod = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as { default?: unknown };
    data = mod.default;
    // Outside an ESM package tsx loads the file as CommonJS: the export arrives wrapped once more.
    const inner = data as { __esModule?: boolean; default?: unknown } | undefined;
    if (inner && typeof inner === 'object' && (inner.__esModule === true || ('default' in inner && Object.keys(inner).length === 1))) data = inner.default;
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? 'unknown error';
    return { problems: [{ code: 'spec_ts_invalid', message: `cannot load ${file}: ${message}`, at: at(0) }] };
  }
  if (data === undefined) {
    return { problems: [{ code: 'spec_ts_invalid', message: `${file} has no default export`, at: at(0) }] };
  }
  const root = findSpecLiteral(source);
  const locate: SpecDocument['locate'] = (path, options) => {
    const node = root ? walk(root, path, options?.key ?? false) : undefined;
    return at(node ? node.getStart(source) : 0);
  };
  return { document: { file, data, locate }, problems: [] };
}

/** The object literal passed to defineSystem(), or the default-exported literal. */
function findSpecLiteral(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.expression.getText(source) === 'defineSystem' && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
      found = node.arguments[0];
      return;
    }
    if (ts.isExportAssignment(node) && ts.isObjectLiteralExpression(node.expression)) {
      found = node.expression;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function walk(root: ts.Node, path: SpecPath, key: boolean): ts.Node {
  let node: ts.Node = root;
  for (const [i, step] of path.entries()) {
    if (ts.isObjectLiteralExpression(node)) {
      const prop = node.properties.find((p) => p.name && propName(p.name) === String(step));
      if (!prop) return node;
      const last = i === path.length - 1;
      node = last && key ? prop.name! : ts.isPropertyAssignment(prop) ? prop.initializer : prop;
    } else if (ts.isArrayLiteralExpression(node) && typeof step === 'number' && node.elements[step]) {
      node = node.elements[step]!;
    } else {
      return node;
    }
  }
  return node;
}

function propName(name: ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : name.getText();
}
