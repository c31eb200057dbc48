import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";

// Renders a kustomize base the way `kubectl kustomize` does, for the fields deploy/kubernetes
// uses and no others: no kustomize binary installs from the package registries we use (the one
// Python binding needs Python 3.14), so the test renders with this. It refuses any field it does
// not know, so a kustomization that grows past it fails loudly instead of rendering wrong.

/** One Kubernetes object, as parsed. */
export type KubeObject = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
};

interface ConfigMapGenerator {
  readonly name: string;
  readonly files?: readonly string[];
  readonly envs?: readonly string[];
}

const KNOWN_FIELDS = new Set(["apiVersion", "kind", "resources", "configMapGenerator"]);
const KNOWN_GENERATOR_FIELDS = new Set(["name", "files", "envs"]);

export class KustomizeError extends Error {
  override readonly name = "KustomizeError";
}

/** Every object of the kustomization in `dir`: its resources, then its generated ConfigMaps. */
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = parse(readFileSync(path.join(dir, "kustomization.yaml"), "utf8")) as {
    readonly [key: string]: unknown;
  };
  const unknown = Object.keys(kustomization).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new KustomizeError(
      `kustomization.yaml: this renderer does not know ${unknown.join(", ")}`,
    );
  }
  const resources = ((kustomization.resources ?? []) as string[]).flatMap((file) =>
    parseAllDocuments(readFileSync(inside(dir, file), "utf8")).map((doc) => {
      if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject;
    }),
  );
  const generated = ((kustomization.configMapGenerator ?? []) as ConfigMapGenerator[]).map(
    (generator) => generateConfigMap(dir, generator),
  );
  const renamed = new Map(
    generated.map((configMap, index) => [
      (kustomization.configMapGenerator as ConfigMapGenerator[])[index]?.name as string,
      configMap.metadata.name,
    ]),
  );
  return [...resources.map((object) => withConfigMapNames(object, renamed)), ...generated];
}

/** A path of the kustomization, refused outside its folder (kustomize's default load restrictor). */
function inside(dir: string, file: string): string {
  const full = path.resolve(dir, file);
  if (!full.startsWith(`${path.resolve(dir)}${path.sep}`)) {
    throw new KustomizeError(`${file} is outside ${dir}: kustomize refuses it`);
  }
  return full;
}

function generateConfigMap(dir: string, generator: ConfigMapGenerator): KubeObject {
  const unknown = Object.keys(generator).filter((key) => !KNOWN_GENERATOR_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new KustomizeError(`configMapGenerator ${generator.name}: unknown ${unknown.join(", ")}`);
  }
  const data: Record<string, string> = {};
  for (const file of generator.files ?? []) {
    data[path.basename(file)] = readFileSync(inside(dir, file), "utf8");
  }
  for (const file of generator.envs ?? []) {
    for (const line of readFileSync(inside(dir, file), "utf8").split("\n")) {
      if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
      const equals = line.indexOf("=");
      if (equals < 1) throw new KustomizeError(`${file}: "${line}" is not KEY=VALUE`);
      data[line.slice(0, equals)] = line.slice(equals + 1);
    }
  }
  const name = `${generator.name}-${contentHash(generator.name, data)}`;
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data };
}

/**
 * The name suffix: the scheme of kustomize's hasher (sha256 of the JSON of kind, name and data,
 * ten hex digits with 0 1 3 a e swapped for letters so it never reads as a number). A change of
 * content changes the name, which rolls the pods that use it.
 */
function contentHash(name: string, data: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
  const json = JSON.stringify({ data: sorted, kind: "ConfigMap", name }).replace(
    /[<>&]/g,
    (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
  );
  const hex = createHash("sha256").update(json).digest("hex").slice(0, 10);
  const swap: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex].map((c) => swap[c] ?? c).join("");
}

/** The object with every reference to a generated ConfigMap pointing at its hashed name. */
function withConfigMapNames(object: KubeObject, renamed: ReadonlyMap<string, string>): KubeObject {
  const visit = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => visit(item));
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const refersToConfigMap =
      key === "configMap" || key === "configMapKeyRef" || key === "configMapRef";
    return Object.fromEntries(
      entries.map(([k, v]) =>
        refersToConfigMap && k === "name" && typeof v === "string"
          ? [k, renamed.get(v) ?? v]
          : [k, visit(v, k)],
      ),
    );
  };
  return visit(object) as KubeObject;
}
