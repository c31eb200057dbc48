import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// A tool's HTTP request is traced only when it goes through `ctx.fetch` (the runtime's traced
// fetch); one made with the global `fetch` has no span. This scan finds every use of the global
// `fetch` in the shipped source of the runtime, the SDK, the agents and the toolkits.

const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");
/** Packages whose `src` is scanned: what runs inside the runtime. */
const SCANNED = /^(runtime|sdk|agent-.+|toolkit-.+)$/;
/** Tests and shared test cases may fetch as they like; they never run in the runtime. */
const NOT_SHIPPED = /\.(test|case)\.ts$/;
/** The one place the global `fetch` is wrapped, and test support (not in the build). */
const ALLOWED = new Set([
  "packages/runtime/src/tracing/traced-fetch.ts",
  "packages/runtime/src/testing/google-oauth-on-fake.ts",
]);
const GLOBAL_OBJECTS = new Set(["globalThis", "global", "window", "self"]);

interface SourceText {
  readonly path: string;
  readonly text: string;
}

/**
 * Each use of the global `fetch` as `path:line`. An identifier `fetch` is global when no
 * declaration in its own file binds it (a local `const fetch`, a parameter, an import are
 * not); `globalThis.fetch` and its kin count too. Allowed is the SDK's fallback for a toolkit run
 * outside the runtime: `x.fetch ?? fetch`, where `x.fetch` is the runtime's. Type positions
 * (`typeof fetch`) are not calls.
 */
function globalFetchUses(files: readonly SourceText[]): string[] {
  const sources = new Map(
    files.map((file) => [
      file.path,
      ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS),
    ]),
  );
  const host: ts.CompilerHost = {
    getSourceFile: (name) => sources.get(name),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => sources.has(name),
    readFile: () => undefined,
  };
  // No lib and no imports: only bindings inside each file resolve, which is the question asked.
  const program = ts.createProgram(
    [...sources.keys()],
    { noLib: true, noResolve: true, noEmit: true, allowImportingTsExtensions: true },
    host,
  );
  const checker = program.getTypeChecker();
  const uses: string[] = [];
  for (const source of sources.values()) {
    const report = (node: ts.Node) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      uses.push(`${source.fileName}:${line + 1}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isTypeQueryNode(node) || ts.isTypeReferenceNode(node)) return;
      if (ts.isPropertyAccessExpression(node) && node.name.text === "fetch") {
        if (ts.isIdentifier(node.expression) && GLOBAL_OBJECTS.has(node.expression.text)) {
          report(node);
        }
      } else if (
        ts.isElementAccessExpression(node) &&
        ts.isStringLiteralLike(node.argumentExpression) &&
        node.argumentExpression.text === "fetch" &&
        ts.isIdentifier(node.expression) &&
        GLOBAL_OBJECTS.has(node.expression.text)
      ) {
        report(node);
      } else if (
        ts.isIdentifier(node) &&
        node.text === "fetch" &&
        isValuePosition(node) &&
        isGlobal(node, source, checker) &&
        !isRuntimeFetchFallback(node)
      ) {
        report(node);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return uses;
}

/** Not a name of something else: a property (`x.fetch`, `{ fetch: … }`, `fetch?: …`) or import. */
function isValuePosition(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  return true;
}

function isGlobal(node: ts.Identifier, source: ts.SourceFile, checker: ts.TypeChecker): boolean {
  const symbol = ts.isShorthandPropertyAssignment(node.parent)
    ? checker.getShorthandAssignmentValueSymbol(node.parent)
    : checker.getSymbolAtLocation(node);
  return !symbol?.declarations?.some((declaration) => declaration.getSourceFile() === source);
}

/** `x.fetch ?? fetch`: the runtime's fetch when there is one (always, inside the runtime). */
function isRuntimeFetchFallback(node: ts.Identifier): boolean {
  let expression: ts.Node = node;
  while (ts.isParenthesizedExpression(expression.parent)) expression = expression.parent;
  const parent = expression.parent;
  return (
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken &&
    parent.right === expression &&
    ts.isPropertyAccessExpression(parent.left) &&
    parent.left.name.text === "fetch"
  );
}

function shippedSources(): SourceText[] {
  const files: SourceText[] = [];
  for (const pkg of readdirSync(path.join(REPO_ROOT, "packages"))) {
    if (!SCANNED.test(pkg)) continue;
    const src = path.join(REPO_ROOT, "packages", pkg, "src");
    for (const entry of readdirSync(src, { recursive: true, encoding: "utf8" })) {
      const relative = path.posix.join("packages", pkg, "src", entry.split(path.sep).join("/"));
      if (!relative.endsWith(".ts") || NOT_SHIPPED.test(relative) || ALLOWED.has(relative))
        continue;
      files.push({ path: relative, text: readFileSync(path.join(REPO_ROOT, relative), "utf8") });
    }
  }
  return files;
}

describe("the global fetch in the runtime, the SDK, agents and toolkits", () => {
  it("is used nowhere: every HTTP request goes through the runtime's traced fetch", () => {
    const sources = shippedSources();
    // The scan saw the toolkits that fetch, so an empty answer means something.
    expect(sources.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        "packages/toolkit-jira/src/jira-client.ts",
        "packages/toolkit-google-drive/src/drive-client.ts",
        "packages/runtime/src/oauth/google-oauth.ts",
      ]),
    );
    expect(globalFetchUses(sources)).toEqual([]);
  });

  it("finds a call, a reference and globalThis.fetch; not ctx.fetch, a local fetch or the fallback", () => {
    const planted = [
      "export const a = async (url: string) => (await fetch(url)).json();",
      "export const b = tracedFetch(fetch);",
      'export const c = () => globalThis.fetch("https://x.test/");',
      'export const d = () => globalThis["fetch"]("https://x.test/");',
      "export const e = { fetch };",
      "export const f = (url: string) => (options.fetch ?? globalThis.fetch)(url, {});",
      "export const g = (url: string) => (options.fetch || fetch)(url, {});",
    ].join("\n");
    const allowed = [
      'import { fetch as undiciFetch } from "./local.ts";',
      "export const a = (ctx: Ctx, url: string) => ctx.fetch(url, {});",
      "export const b = (url: string) => (options.fetch ?? fetch)(url, {});",
      "export const c = (fetch: FetchLike) => fetch('https://x.test/', {});",
      "export function d() { const fetch = ctx.fetch; return fetch('https://x.test/', {}); }",
      "export const e = { fetch: ctx.fetch, ...(options.fetch ? { fetch: options.fetch } : {}) };",
      "export type F = typeof fetch;",
      "export interface G { readonly fetch?: FetchLike }",
      "// fetch('https://x.test/') in a comment, and in a string:",
      'export const h = "fetch(url)";',
      "export const i = undiciFetch;",
    ].join("\n");
    expect(
      globalFetchUses([
        { path: "packages/toolkit-x/src/planted.ts", text: planted },
        { path: "packages/toolkit-x/src/allowed.ts", text: allowed },
      ]),
    ).toEqual([1, 2, 3, 4, 5, 6, 7].map((line) => `packages/toolkit-x/src/planted.ts:${line}`));
  });
});
