import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startPostgresServer } from "@agentllm/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { OPEN_WEBUI_VERSION } from "../src/open-webui.ts";
import { repoRoot } from "../src/repo-paths.ts";
import { type ResolvedCompose, resolveCompose } from "./compose-config.ts";
import { parsePortTable } from "./container-checks.ts";
import {
  KUSTOMIZE_VERSION,
  type KubeObject,
  KustomizeError,
  kustomizeVersion,
  renderKustomization,
} from "./kustomize-render.ts";
import { packageSources, sourceFiles, variablesReadIn } from "./variables-read.ts";

// Static validation of the Kubernetes base (deploy/kubernetes): no cluster runs on our machines or
// CI. It is rendered by the real kustomize (kustomize-render.ts), every object is validated against the Kubernetes API's
// schemas (kubernetes-validate, in the bridge's dev venv, schemas bundled: no network), and the
// facts that keep it in step with the rest are checked against compose.yaml, the Containerfile and
// the code. The validator, the renderer and the secret checks also run on broken copies, to show
// they catch the mistake.

const run = promisify(execFile);
const BASE = path.join(repoRoot, "deploy/kubernetes");
/** The API version validated against: the newest whose schemas the pinned wheel bundles. */
const KUBERNETES_VERSION = "1.37.0";

type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      configMapKeyRef?: { name: string; key: string; optional?: boolean };
    };
  }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  resources?: { limits?: { memory?: string } };
};
type Probe = { httpGet?: { path: string; port: string | number }; exec?: { command: string[] } };
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number };
  volumes?: {
    name: string;
    configMap?: { name: string };
    emptyDir?: { sizeLimit?: string };
    persistentVolumeClaim?: { claimName: string };
  }[];
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string }[];
};
type Workload = KubeObject & {
  spec: {
    replicas?: number;
    strategy?: {
      type: string;
      rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
    };
    template: { spec: PodSpec };
  };
};
type PodSelector = { matchLabels?: Record<string, string> };
type NetworkPolicy = KubeObject & {
  spec: {
    podSelector: PodSelector;
    ingress?: {
      from?: { podSelector?: PodSelector; namespaceSelector?: PodSelector }[];
      ports?: { port: number }[];
    }[];
  };
};

const objects = renderKustomization(BASE);
const find = (kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const workload = (name: string) =>
  (find("Deployment", name) ?? find("StatefulSet", name)) as Workload | undefined;
const container = (name: string) => workload(name)?.spec.template.spec.containers[0] as Container;
const envNames = (name: string) => (container(name).env ?? []).map((e) => e.name).sort();
/** Every container a workload's pods run, init containers first. */
const podContainers = (pod: PodSpec | undefined): Container[] => [
  ...(pod?.initContainers ?? []),
  ...(pod?.containers ?? []),
];

async function validate(docs: readonly KubeObject[]): Promise<string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "agentllm-k8s-")), "all.yaml");
  writeFileSync(file, docs.map((doc) => stringify(doc)).join("---\n"));
  const binary = path.join(repoRoot, "bridge/.venv/bin/kubernetes-validate");
  if (!existsSync(binary)) {
    throw new Error("kubernetes-validate is not installed in bridge/.venv: run `npx just setup`");
  }
  try {
    await run(binary, ["--strict", "--quiet", "-k", KUBERNETES_VERSION, file]);
    return "";
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ""}${stderr ?? ""}`.trim() || "failed";
  }
}

/** A random key: mixed case and digits, 32+ characters; a LiteLLM key; a Google API key. */
const SECRET_SHAPED =
  /(?<![\w-])(?=[\w-]*[a-z])(?=[\w-]*[A-Z])(?=[\w-]*\d)[\w-]{32,}|sk-[\w-]{16,}|AIza[\w-]{8,}/;

/** Each variable that looks like a secret and is not read from one of our Secrets. */
function secretProblems(docs: readonly KubeObject[]): string[] {
  const looksSecret = /(_KEYS?|_TOKEN|SECRET|PASSWORD)$|^DATABASE_URL$/;
  return docs.flatMap((doc) => {
    const pod = (doc as Workload).spec?.template?.spec;
    return podContainers(pod).flatMap((c) =>
      (c.env ?? [])
        .filter((variable) => looksSecret.test(variable.name))
        .filter((variable) => !/^agentllm-/.test(variable.valueFrom?.secretKeyRef?.name ?? ""))
        .map((variable) => `${doc.metadata.name} ${variable.name} is not from a Secret`),
    );
  });
}

/** "secret/key" for every secretKeyRef of every container. */
function secretKeysRead(docs: readonly KubeObject[]): string[] {
  const keys = docs.flatMap((doc) =>
    podContainers((doc as Workload).spec?.template?.spec).flatMap((c) =>
      (c.env ?? []).flatMap((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return ref ? [`${ref.name}/${ref.key}`] : [];
      }),
    ),
  );
  return [...new Set(keys)].sort();
}

/** "secret/key" for every `kubectl create secret generic NAME --from-literal=KEY=...` in docs. */
function documentedSecretKeys(docs: string): string[] {
  const commands = docs.split(/kubectl[^\n]*create secret generic /).slice(1);
  const keys = commands.flatMap((command) => {
    const name = command.match(/^[\w-]+/)?.[0];
    const body = command.split(/\n(?!\s*--)/)[0] ?? "";
    return [...body.matchAll(/--from-literal=(\w+)=/g)].map((m) => `${name}/${m[1]}`);
  });
  return [...new Set(keys)].sort();
}

/** A deep copy of the rendered base with one object changed. */
function changed(kind: string, name: string, change: (object: Workload) => void): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== kind || object.metadata.name !== name) return object;
    const copy = structuredClone(object) as Workload;
    change(copy);
    return copy;
  });
}

let prod: ResolvedCompose;
beforeAll(async () => {
  prod = await resolveCompose(["compose.yaml"]);
});

describe("the base renders and every object is valid Kubernetes", () => {
  it("has the compose stack's services and what they need", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      expect.arrayContaining([
        "Deployment/runtime",
        "Deployment/litellm-proxy",
        "Deployment/open-webui",
        "StatefulSet/litellm-db",
        "StatefulSet/runtime-db",
        "Service/runtime",
        "Service/runtime-public",
        "Service/litellm-proxy",
        "Service/open-webui",
        "Service/litellm-db",
        "Service/runtime-db",
        "Ingress/agentllm",
        "PodDisruptionBudget/runtime",
        "NetworkPolicy/runtime",
        "NetworkPolicy/litellm-db",
        "NetworkPolicy/runtime-db",
      ]),
    );
  });

  it(`validates against the Kubernetes ${KUBERNETES_VERSION} schemas, strictly`, async () => {
    expect(await validate(objects)).toBe("");
  });

  it("catches a wrong type and a misspelt field", async () => {
    const wrongType = changed("Deployment", "runtime", (d) => {
      (d.spec.template.spec.containers[0] as { ports: unknown }).ports = [{ containerPort: "x" }];
    });
    expect(await validate(wrongType)).toMatch(/deployment\/runtime.*containerPort/);
    const misspelt = changed("Deployment", "runtime", (d) => {
      Object.assign(d.spec.template.spec, { securityContex: {} });
    });
    expect(await validate(misspelt)).toMatch(/deployment\/runtime/);
  });

  it("is rendered by the pinned kustomize, which refuses unknown fields and files outside the base", () => {
    expect(kustomizeVersion()).toBe(KUSTOMIZE_VERSION);
    const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-kustomize-"));
    writeFileSync(path.join(dir, "kustomization.yaml"), "resources: []\nimagez: []\n");
    expect(() => renderKustomization(dir)).toThrow(KustomizeError);
    writeFileSync(path.join(dir, "kustomization.yaml"), "resources: [../x.yaml]\n");
    expect(() => renderKustomization(dir)).toThrow(KustomizeError);
  });

  it("ConfigMaps come from the generator, named by content, and the pods use those names", () => {
    const configMaps = objects.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name);
    expect(configMaps).toHaveLength(3);
    for (const name of configMaps) expect(name).toMatch(/^[a-z-]+-[0-9a-z]{10}$/);
    const volume = workload("litellm-proxy")?.spec.template.spec.volumes?.[0];
    expect(configMaps).toContain(volume?.configMap?.name);
    const refs = ["runtime", "litellm-proxy"].flatMap((name) =>
      (container(name).env ?? []).flatMap((e) => e.valueFrom?.configMapKeyRef?.name ?? []),
    );
    for (const ref of refs) expect(configMaps).toContain(ref);
  });

  it("LiteLLM's config is the repository's proxy_config.yaml", () => {
    expect(readFileSync(path.join(BASE, "proxy_config.yaml"), "utf8")).toBe(
      readFileSync(path.join(repoRoot, "proxy_config.yaml"), "utf8"),
    );
    const args = container("litellm-proxy").args ?? [];
    expect(args.slice(0, 3)).toEqual(["python", "-m", "agentllm_bridge.serve"]);
    expect(args[args.indexOf("--config") + 1]).toBe("/etc/agentllm/proxy_config.yaml");
  });
});

describe("images, ports and probes match the Containerfile, the design and the code", () => {
  it("images are the ones compose builds and pulls", () => {
    const composeImage = (name: string) => prod.config.services[name]?.image;
    expect(prod.config.services["litellm-proxy"]?.build?.target).toBe("proxy");
    expect(prod.config.services.runtime?.build?.target).toBe("runtime");
    for (const name of ["runtime", "litellm-proxy", "open-webui", "litellm-db"]) {
      expect(container(name).image, name).toBe(composeImage(name));
    }
    // Not in compose (it runs the runtime on SQLite): the runtime's Postgres and the runtime's
    // wait for it use LiteLLM's database image, so the base pulls no other.
    expect(container("runtime-db").image).toBe(composeImage("litellm-db"));
    const [wait] = workload("runtime")?.spec.template.spec.initContainers ?? [];
    expect(wait?.image).toBe(composeImage("litellm-db"));
    expect(container("open-webui").image).toMatch(new RegExp(`:v?${OPEN_WEBUI_VERSION}$`));
  });

  it("container ports are the design's; the Ingress reaches the connect pages, never 9510", () => {
    const rows = parsePortTable(readFileSync(path.join(repoRoot, "docs/architecture.md"), "utf8"));
    const proxyPort = rows.find((row) => row.service === "litellm-proxy")?.containerPort;
    const ports = (name: string) => (container(name).ports ?? []).map((p) => p.containerPort);
    expect(ports("runtime").sort()).toEqual([9502, 9510]);
    expect(ports("litellm-proxy")).toEqual([proxyPort]);
    const backends = JSON.stringify(find("Ingress", "agentllm"));
    expect(backends).toContain('"runtime-public"');
    expect(backends).not.toContain('"runtime"');
    const servicePorts = (name: string) =>
      (
        (find("Service", name)?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []
      ).map((p) => p.port);
    expect(servicePorts("runtime")).toEqual([9510]);
    expect(servicePorts("runtime-public")).toEqual([9502]);
    expect(servicePorts("litellm-proxy")).toEqual([proxyPort]);
  });

  it("probes point at routes the runtime and the bridge serve", () => {
    const app = readFileSync(path.join(repoRoot, "packages/runtime/src/http/app.ts"), "utf8");
    const runtimeRoutes = [...app.matchAll(/app\.get\(\s*"([^"]+)"/g)].map((m) => m[1]);
    const guard = readFileSync(path.join(repoRoot, "bridge/src/agentllm_bridge/guard.py"), "utf8");
    const readiness = guard.match(/READINESS_PATH = "([^"]+)"/)?.[1];
    const paths = (name: string) => {
      const c = container(name);
      return [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet?.path);
    };
    const [, runtimeLive, runtimeReady] = paths("runtime");
    expect(runtimeRoutes).toContain(runtimeLive);
    expect(runtimeReady).toBe("/readyz");
    expect(runtimeRoutes).toContain(runtimeReady);
    // LiteLLM's own liveness route (the image's HEALTHCHECK); readiness is the bridge's.
    const containerfile = readFileSync(path.join(repoRoot, "Containerfile"), "utf8");
    const [proxyStart, proxyLive, proxyReady] = paths("litellm-proxy");
    expect(containerfile).toContain(`8890${proxyLive}`);
    expect(proxyStart).toBe(proxyLive);
    expect(proxyReady).toBe(readiness);
    // compose's Open WebUI healthcheck route.
    expect(JSON.stringify(prod.config.services["open-webui"]?.healthcheck?.test)).toContain(
      `8080${paths("open-webui")[2]}`,
    );
    // Probes by port name resolve to a declared port.
    for (const name of ["runtime", "litellm-proxy", "open-webui"]) {
      const names = (container(name).ports ?? []).map((p) => p.name);
      for (const probe of [
        container(name).livenessProbe,
        container(name).readinessProbe,
        container(name).startupProbe,
      ]) {
        if (probe?.httpGet) expect(names, name).toContain(probe.httpGet.port);
      }
    }
  });
});

describe("variables reach the services that read them, and only those", () => {
  const runtimePackages = readdirSync(path.join(repoRoot, "packages")).filter(
    (name) => !["stack", "testkit"].includes(name),
  );
  const runtimeReads = variablesReadIn(runtimePackages.flatMap(packageSources), {
    skipComments: true,
  });
  const proxyConfig = readFileSync(path.join(repoRoot, "proxy_config.yaml"), "utf8");
  const proxyReads = new Set([
    ...variablesReadIn(sourceFiles(path.join(repoRoot, "bridge/src")), { skipComments: true }),
    ...[...proxyConfig.matchAll(/os\.environ\/(\w+)/g)].map((m) => m[1] as string),
  ]);

  it("each container gets exactly the variables compose gives its service", () => {
    for (const name of ["runtime", "litellm-proxy", "open-webui", "litellm-db"]) {
      const compose = Object.keys(prod.config.services[name]?.environment ?? {});
      // Postgres: its data folder below the volume's mount point (lost+found).
      const extra = name === "litellm-db" ? ["PGDATA"] : [];
      expect(envNames(name), name).toEqual([...compose, ...extra].sort());
    }
    // The runtime's Postgres is configured as LiteLLM's, with its own user and database.
    expect(envNames("runtime-db")).toEqual(envNames("litellm-db"));
    const value = (name: string, variable: string) =>
      container(name).env?.find((e) => e.name === variable)?.value;
    expect(value("runtime-db", "POSTGRES_USER")).toBe("agentllm");
    expect(value("runtime-db", "POSTGRES_DB")).toBe("agentllm");
  });

  it("the runtime and the proxy get every variable their code reads", () => {
    const missing = (name: string, reads: Set<string>) =>
      [...reads].filter((variable) => !envNames(name).includes(variable));
    expect(missing("runtime", runtimeReads)).toEqual([]);
    expect(missing("litellm-proxy", proxyReads)).toEqual([]);
  });

  it("no secret value is in the manifests: secrets come from Secrets, by name", () => {
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(secretProblems(objects)).toEqual([]);
    const text = readdirSync(BASE)
      .map((file) => readFileSync(path.join(BASE, file), "utf8"))
      .join("\n");
    expect(text.match(SECRET_SHAPED)).toBeNull();
    // The shapes it looks for: what `just secrets` generates, and a Google API key's.
    expect("KEY=made-up-Zq3xV9bT2mK7pL0wR5nY8cF1hJ4dG6s").toMatch(SECRET_SHAPED);
    expect("x: sk-made-up-master-key").toMatch(SECRET_SHAPED);
    expect("GEMINI_API_KEY=AIzaSyA-made-up").toMatch(SECRET_SHAPED);
    // Required in compose (`:?`) means required here; optional there, optional here.
    const optional = (name: string, variable: string) =>
      container(name).env?.find((e) => e.name === variable)?.valueFrom?.secretKeyRef?.optional;
    expect(optional("runtime", "AGENTLLM_TOKEN_ENCRYPTION_KEY")).toBe(false);
    expect(optional("runtime", "GEMINI_API_KEY")).toBe(true);
    expect(optional("litellm-proxy", "LITELLM_MASTER_KEY")).toBe(false);
    // Optional in compose (empty: SQLite), required here: the replicas share only Postgres.
    expect(optional("runtime", "DATABASE_URL")).toBe(false);
    expect(optional("runtime-db", "POSTGRES_PASSWORD")).toBe(false);
  });

  it("docs/operations.md creates exactly the Secrets and keys the manifests read", () => {
    const docs = readFileSync(path.join(repoRoot, "docs/operations.md"), "utf8");
    expect(documentedSecretKeys(docs)).toEqual(secretKeysRead(objects));
    const forgot = docs.replace(/ \\\n\s*--from-literal=GDRIVE_CLIENT_SECRET=\S+/, "");
    expect(documentedSecretKeys(forgot)).not.toEqual(secretKeysRead(objects));
  });

  it("catches a secret written as a value and one read from a ConfigMap", () => {
    const leaked = changed("Deployment", "runtime", (d) => {
      const env = d.spec.template.spec.containers[0]?.env ?? [];
      const key = env.find((e) => e.name === "GEMINI_API_KEY");
      if (key) Object.assign(key, { value: "AIza-not-a-key", valueFrom: undefined });
    });
    expect(secretProblems(leaked)).toEqual(["runtime GEMINI_API_KEY is not from a Secret"]);
    const fromConfigMap = changed("Deployment", "litellm-proxy", (d) => {
      const env = d.spec.template.spec.containers[0]?.env ?? [];
      const key = env.find((e) => e.name === "DATABASE_URL");
      if (key) key.valueFrom = { configMapKeyRef: { name: "proxy-settings", key: "DATABASE_URL" } };
    });
    expect(secretProblems(fromConfigMap)).toEqual([
      "litellm-proxy DATABASE_URL is not from a Secret",
    ]);
  });

  it("each service reads its own Secret, so none sees another's secrets", () => {
    const secretsOf = (name: string) =>
      new Set(
        podContainers(workload(name)?.spec.template.spec).flatMap((c) =>
          (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? []),
        ),
      );
    expect([...secretsOf("runtime")]).toEqual(["agentllm-runtime"]);
    expect([...secretsOf("litellm-proxy")]).toEqual(["agentllm-proxy"]);
    expect([...secretsOf("open-webui")]).toEqual(["agentllm-open-webui"]);
    expect([...secretsOf("litellm-db")]).toEqual(["agentllm-litellm-db"]);
    expect([...secretsOf("runtime-db")]).toEqual(["agentllm-runtime-db"]);
  });
});

describe("the runtime runs as the compose stack does, within its limits", () => {
  it("several replicas on Postgres, rolled one new pod at a time, with no volume of their own", () => {
    const runtime = workload("runtime");
    expect(runtime?.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(runtime?.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const pod = runtime?.spec.template.spec;
    // Scratch space only: no claim (a ReadWriteOnce volume would pin every replica to one node).
    expect(pod?.volumes?.filter((v) => v.persistentVolumeClaim)).toEqual([]);
    expect(find("PersistentVolumeClaim", "runtime-data")).toBeUndefined();
    for (const volume of pod?.volumes ?? []) expect(volume.emptyDir?.sizeLimit).toBeTruthy();
    const data = container("runtime").env?.find((e) => e.name === "AGENTLLM_DATA_DIR")?.value;
    expect(JSON.stringify(container("runtime"))).toContain(`"mountPath":"${data}"`);
    // Spread over nodes where the cluster can, never refusing to schedule for it.
    const spread = pod?.topologySpreadConstraints ?? [];
    expect(spread.map((c) => c.topologyKey)).toContain("kubernetes.io/hostname");
    for (const c of spread) expect(c.whenUnsatisfiable).toBe("ScheduleAnyway");
    // The drain (AGENTLLM_DRAIN_SECONDS, default 25) ends before the kubelet's SIGKILL.
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(35);
  });

  it("a disruption budget keeps one runtime serving through node drains", () => {
    const budget = find("PodDisruptionBudget", "runtime") as
      | (KubeObject & { spec: { minAvailable?: number; selector: PodSelector } })
      | undefined;
    expect(budget?.spec.minAvailable).toBe(1);
    expect(budget?.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "runtime" });
    expect(workload("runtime")?.spec.replicas).toBeGreaterThan(budget?.spec.minAvailable ?? 0);
  });

  it("the runtime waits for its Postgres at start, and refuses to run on SQLite", () => {
    const [wait] = workload("runtime")?.spec.template.spec.initContainers ?? [];
    const script = wait?.command?.join(" ") ?? "";
    expect(script).toContain('case "$DATABASE_URL" in');
    expect(script).toMatch(/timeout \d+ sh -c 'until pg_isready /);
    // Kubernetes expands $(NAME) in commands: the script must use none.
    expect(script).not.toMatch(/\$\(/);
    expect(wait?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(wait?.resources?.limits?.memory).toBeTruthy();
  });

  it("only the runtime reaches its Postgres, only the proxy LiteLLM's", () => {
    const policy = (name: string) => find("NetworkPolicy", name) as NetworkPolicy | undefined;
    const admitted = (name: string) =>
      (policy(name)?.spec.ingress ?? []).map((rule) => ({
        from: (rule.from ?? []).map((peer) => peer.podSelector?.matchLabels),
        ports: (rule.ports ?? []).map((p) => p.port),
      }));
    const only = (app: string) => [{ from: [{ "app.kubernetes.io/name": app }], ports: [5432] }];
    expect(policy("runtime-db")?.spec.podSelector.matchLabels).toEqual({
      "app.kubernetes.io/name": "runtime-db",
    });
    expect(admitted("runtime-db")).toEqual(only("runtime"));
    expect(admitted("litellm-db")).toEqual(only("litellm-proxy"));
    // The Service the runtime's URL names reaches those pods.
    const service = find("Service", "runtime-db") as
      | (KubeObject & { spec: { selector: Record<string, string> } })
      | undefined;
    expect(service?.spec.selector).toEqual({ "app.kubernetes.io/name": "runtime-db" });
  });

  it("the runtime's 9510 admits the proxy and Prometheus only, 9502 anyone; its pods ask to be scraped", () => {
    const policy = find("NetworkPolicy", "runtime") as NetworkPolicy | undefined;
    expect(policy?.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "litellm-proxy" } } }],
        ports: [{ protocol: "TCP", port: 9510 }],
      },
      {
        // One peer with both selectors (two peers would admit either: any pod in monitoring).
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 9510 }],
      },
      { ports: [{ protocol: "TCP", port: 9502 }] },
    ]);
    const template = (workload("runtime")?.spec.template ?? {}) as {
      metadata?: { annotations?: Record<string, string> };
    };
    expect(template.metadata?.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "9510",
      "prometheus.io/path": "/metrics",
    });
  });

  it("tracing is off by default and can be turned on from the settings, headers from the Secret", () => {
    for (const [name, settings, secret] of [
      ["runtime", "runtime-settings", "agentllm-runtime"],
      ["litellm-proxy", "proxy-settings", "agentllm-proxy"],
    ] as const) {
      const env = container(name).env ?? [];
      const source = (variable: string) =>
        (env.find((e) => e.name === variable) as { valueFrom?: unknown } | undefined)?.valueFrom;
      for (const variable of [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
      ]) {
        expect(source(variable), `${name} ${variable}`).toEqual({
          configMapKeyRef: {
            name: expect.stringMatching(new RegExp(`^${settings}`)),
            key: variable,
            optional: true,
          },
        });
      }
      expect(source("OTEL_EXPORTER_OTLP_HEADERS"), name).toEqual({
        secretKeyRef: { name: secret, key: "OTEL_EXPORTER_OTLP_HEADERS", optional: true },
      });
      const map = objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name.startsWith(settings),
      ) as (KubeObject & { data?: Record<string, string> }) | undefined;
      expect(map?.data?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe("");
    }
  });

  it("non-root 10001 with a read-only root filesystem; the proxy non-root too", () => {
    const pod = workload("runtime")?.spec.template.spec;
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container("runtime").securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(workload("litellm-proxy")?.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
    });
  });

  it("every container has a memory limit and probes", () => {
    for (const name of ["runtime", "litellm-proxy", "open-webui", "litellm-db", "runtime-db"]) {
      const c = container(name);
      expect(c.resources?.limits?.memory, name).toBeTruthy();
      expect(c.livenessProbe, name).toBeTruthy();
      expect(c.readinessProbe, name).toBeTruthy();
    }
  });
});

describe("the runtime's wait for its database, run as the init container runs it", () => {
  const [wait] = workload("runtime")?.spec.template.spec.initContainers ?? [];
  const [shell, flag, script] = wait?.command ?? [];
  const pgIsReady = (() => {
    const root = "/usr/lib/postgresql";
    const found = existsSync(root)
      ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "pg_isready")))
      : [];
    const newest = found.sort((a, b) => Number(b) - Number(a))[0];
    if (!newest) throw new Error(`no pg_isready under ${root}: run \`npx just setup-postgres\``);
    return path.join(root, newest, "bin");
  })();
  /** Exit code and output of the script; `bound` shortens its 300 s wait (the test waits none). */
  async function waitFor(databaseUrl: string, bound = 300) {
    expect(script).toContain("timeout 300 ");
    const shortened = (script ?? "").replace("timeout 300 ", `timeout ${bound} `);
    try {
      const { stdout, stderr } = await run(shell as string, [flag as string, shortened], {
        env: { PATH: `${pgIsReady}:${process.env.PATH}`, DATABASE_URL: databaseUrl },
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, output: stdout + stderr };
    }
  }
  let server: Awaited<ReturnType<typeof startPostgresServer>>;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("passes once Postgres accepts connections", async () => {
    const url = (await server.createDatabase()).replace("postgres@", "postgres:pw-not-shown@");
    expect(await waitFor(url)).toEqual({ code: 0, output: "" });
  });

  it("refuses an empty or non-Postgres DATABASE_URL, naming the Secret", async () => {
    for (const url of ["", "sqlite:///data/agentllm.db"]) {
      const { code, output } = await waitFor(url);
      expect(code, url).toBe(1);
      expect(output).toContain("DATABASE_URL in the Secret agentllm-runtime must be a postgres://");
    }
  });

  it("gives up past its bound with a clear message, never showing the URL", async () => {
    const nobody = mkdtempSync(path.join(os.tmpdir(), "agentllm-no-pg-"));
    const url = `postgresql://agentllm:pw-not-shown@/agentllm?host=${encodeURIComponent(nobody)}`;
    const { code, output } = await waitFor(url, 1);
    expect(code).toBe(1);
    expect(output).toContain("did not accept connections within 5 minutes");
    expect(output).not.toContain("pw-not-shown");
    expect(output).not.toContain(nobody);
  });
});

describe("the documented overlay for a managed Postgres", () => {
  it("renders without the reference runtime-db and its policy, and stays valid", async () => {
    const docs = readFileSync(path.join(repoRoot, "docs/operations.md"), "utf8");
    const block = docs.match(
      /\n( *)```yaml\n( *patches:\n(?:.*\n)*?.*\$patch: delete(?:.*\n)*?)\1```/,
    );
    expect(block).toBeTruthy();
    const indent = block?.[1] ?? "";
    const patches = (block?.[2] ?? "")
      .split("\n")
      .map((line) => line.slice(indent.length))
      .join("\n");
    const overlay = mkdtempSync(path.join(os.tmpdir(), "agentllm-overlay-"));
    // kustomize takes a base by relative path only.
    writeFileSync(
      path.join(overlay, "kustomization.yaml"),
      `resources: [${path.relative(overlay, BASE)}]\n${patches}`,
    );
    const rendered = renderKustomization(overlay);
    const names = rendered.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.filter((name) => name.endsWith("/runtime-db"))).toEqual([]);
    expect(names).toContain("Deployment/runtime");
    expect(names).toContain("StatefulSet/litellm-db");
    expect(rendered).toHaveLength(objects.length - 3);
    expect(await validate(rendered)).toBe("");
  });
});
