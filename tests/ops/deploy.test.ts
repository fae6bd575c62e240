/**
 * Containers and Kubernetes, validated offline (no Docker daemon, no cluster):
 * - infra/k8s: each overlay rendered by `kubectl kustomize` (by the test's own subset of kustomize,
 *   checked against kubectl where it exists, when kubectl is missing) and every object validated against the Kubernetes OpenAPI schemas with the npm
 *   package `kubernetes-models` (the JSON schemas of the API, with a `validate()` per kind; kubeconform
 *   and kubeval are not on npm), plus the platform's own rules (probes, resources, HPA, PDB, R3 NATS).
 * - docker-compose.yml and infra/Dockerfile: structure (services, limits, mounts, stages, user).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "@tickerplant/testkit";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { productionRuntimeEnv } from "../../bench/lib/production-runtime.ts";

const K8S = resolve(REPO_ROOT, "infra/k8s");
const SERVICES = ["ingestor", "storage-writer", "scheduler", "analyzer", "gateway"];
const PORTS: Record<string, number> = {
  ingestor: 9101,
  "storage-writer": 9102,
  scheduler: 9103,
  analyzer: 9104,
  gateway: 8080,
};
const KUBECTL = Bun.which("kubectl");

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain YAML documents
type Obj = any;

const MODELS: Record<string, new (o: Obj) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/Namespace": Namespace,
};

function parseAll(text: string): Obj[] {
  return text
    .split(/^---\s*$/m)
    .map((doc) => Bun.YAML.parse(doc))
    .filter((d) => d !== null && typeof d === "object");
}

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind} (${o.metadata?.name})`);
  new Model(o).validate();
}

function kubectlKustomize(overlay: string): Obj[] {
  const p = Bun.spawnSync([KUBECTL!, "kustomize", join(K8S, "overlays", overlay)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (p.exitCode !== 0) throw new Error(`kubectl kustomize ${overlay}: ${p.stderr.toString()}`);
  return parseAll(p.stdout.toString());
}

/** Applies JSON 6902 `add`/`replace` operations (what the overlays use); a missing path throws. */
function applyOps(o: Obj, ops: Array<{ op: string; path: string; value: unknown }>): void {
  for (const { op, path, value } of ops) {
    const keys = path.split("/").slice(1);
    const last = keys.pop()!;
    let at = o;
    for (const k of keys) {
      if (at?.[k] === undefined)
        throw new Error(`patch path ${path} missing in ${o.kind} ${o.metadata.name}`);
      at = at[k];
    }
    if (op === "replace" && at[last] === undefined)
      throw new Error(`patch replaces missing ${path} in ${o.kind} ${o.metadata.name}`);
    if (op !== "replace" && op !== "add") throw new Error(`patch op ${op} not supported here`);
    at[last] = value;
  }
}

/**
 * The kustomize features the overlays use — resources, namespace, labels, images, and JSON 6902
 * patches whose target is a kind and a name regex — for machines without kubectl (Debian's
 * kubernetes-client is too old for these kustomizations). Checked against `kubectl kustomize` where
 * kubectl exists; a kustomization using anything else fails here.
 */
function kustomizeLite(dir: string): Obj[] {
  const k = Bun.YAML.parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Obj;
  const known = ["apiVersion", "kind", "namespace", "labels", "resources", "images", "patches"];
  for (const field of Object.keys(k))
    if (!known.includes(field)) throw new Error(`${dir}: kustomization field ${field} not supported here`);
  const objs: Obj[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    objs.push(...(statSync(p).isDirectory() ? kustomizeLite(p) : parseAll(readFileSync(p, "utf8"))));
  }
  for (const o of objs) {
    if (k.namespace && o.kind !== "Namespace") o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
  }
  for (const img of k.images ?? [])
    for (const o of objs)
      for (const c of o.spec?.template?.spec?.containers ?? [])
        if (c.image === img.name || String(c.image).startsWith(`${img.name}:`))
          c.image = `${img.newName ?? img.name}:${img.newTag}`;
  for (const p of k.patches ?? []) {
    const name = p.target.name ? new RegExp(`^(?:${p.target.name})$`) : null;
    const targets = objs.filter((o) => o.kind === p.target.kind && (!name || name.test(o.metadata.name)));
    if (targets.length === 0)
      throw new Error(`${dir}: a patch matches nothing (${JSON.stringify(p.target)})`);
    for (const o of targets) applyOps(o, Bun.YAML.parse(p.patch) as never);
  }
  return objs;
}

function render(overlay: string): Obj[] {
  return KUBECTL ? kubectlKustomize(overlay) : kustomizeLite(join(K8S, "overlays", overlay));
}

const byKindAndName = (objs: Obj[]) =>
  Object.fromEntries(objs.map((o) => [`${o.kind}/${o.metadata.name}`, o]));

function baseObjects(): Obj[] {
  return readdirSync(join(K8S, "base"))
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((f) => parseAll(readFileSync(join(K8S, "base", f), "utf8")));
}

function find(objs: Obj[], kind: string, name: string): Obj {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind} ${name} missing`);
  return o;
}

/** The platform's rules, on top of the API schemas. */
function checkPlatform(objs: Obj[]): void {
  for (const name of SERVICES) {
    // The analyzer's replicas need stable ids (their durable consumers): a StatefulSet.
    const d = find(objs, name === "analyzer" ? "StatefulSet" : "Deployment", name);
    const c = d.spec.template.spec.containers[0];
    const port = c.ports.find((p: Obj) => p.name === "http");
    expect(port.containerPort).toBe(PORTS[name]);
    expect(c.livenessProbe.httpGet).toMatchObject({ path: "/health/live", port: "http" });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: "/health/ready", port: "http" });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ SERVICE_NAME: name, HTTP_PORT: String(PORTS[name]) });
    for (const from of c.envFrom) {
      if (from.configMapRef) find(objs, "ConfigMap", from.configMapRef.name);
      if (from.secretRef) find(objs, "Secret", from.secretRef.name);
    }
    // Selector and template labels agree, and a Service routes to the pods.
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    expect(find(objs, "Service", name).spec.selector).toEqual(d.spec.selector.matchLabels);
  }
  for (const name of ["gateway", "scheduler"]) {
    const hpa = find(objs, "HorizontalPodAutoscaler", name);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name });
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  }
  for (const pdb of objs.filter((o) => o.kind === "PodDisruptionBudget")) {
    const selected = objs.filter(
      (o) =>
        (o.kind === "Deployment" || o.kind === "StatefulSet") &&
        Object.entries(pdb.spec.selector.matchLabels).every(
          ([k, v]) => o.spec.template.metadata.labels[k] === v,
        ),
    );
    expect(selected.length).toBe(1);
  }
  const analyzer = find(objs, "StatefulSet", "analyzer");
  expect(analyzer.spec.replicas).toBeGreaterThanOrEqual(2);
  const analyzerEnv = analyzer.spec.template.spec.containers[0].env as Obj[];
  expect(analyzerEnv.find((e) => e.name === "REPLICA_ID")?.valueFrom).toEqual({
    fieldRef: { fieldPath: "metadata.name" },
  });
  const nats = find(objs, "StatefulSet", "nats");
  expect(nats.spec.replicas).toBe(3);
  const conf = find(objs, "ConfigMap", "nats-config").data["nats.conf"] as string;
  expect(conf).toContain("jetstream");
  expect(conf.match(/nats:\/\/nats-\d\.nats:6222/g)?.length).toBe(3);
  expect(find(objs, "ConfigMap", "tickerplant-config").data.STREAM_REPLICAS).toBe("3");
}

describe("infra/k8s", () => {
  test("the validator rejects what the API would (a bad replicas value, an unknown field type)", () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "two" },
    };
    expect(() => validate(bad)).toThrow();
  });

  test("every base object is valid against the Kubernetes schemas and follows the platform's rules", () => {
    const objs = baseObjects();
    for (const o of objs) validate(o);
    checkPlatform(objs);
    const kustomization = Bun.YAML.parse(readFileSync(join(K8S, "base/kustomization.yaml"), "utf8")) as {
      resources: string[];
    };
    const files = readdirSync(join(K8S, "base")).filter(
      (f) => f.endsWith(".yaml") && f !== "kustomization.yaml",
    );
    expect(kustomization.resources.sort()).toEqual(files.sort());
  });

  for (const overlay of ["dev", "production"]) {
    test(`overlay ${overlay}: rendered (kubectl kustomize, else the same features here), every object valid`, () => {
      const objs = render(overlay);
      for (const o of objs) {
        validate(o);
        expect(o.metadata.namespace ?? "tickerplant").toBe("tickerplant");
      }
      checkPlatform(objs);
      const images = objs
        .filter(
          (o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && SERVICES.includes(o.metadata.name),
        )
        .map((o) => o.spec.template.spec.containers[0].image as string);
      for (const image of images) expect(image).toMatch(overlay === "dev" ? /:dev$/ : /:0\.1\.0$/);
    });
  }
  test.skipIf(!KUBECTL)("the fallback renderer agrees with kubectl kustomize on every overlay", () => {
    for (const overlay of ["dev", "production"])
      expect(byKindAndName(kustomizeLite(join(K8S, "overlays", overlay)))).toEqual(
        byKindAndName(kubectlKustomize(overlay)),
      );
  });
  if (!KUBECTL)
    console.warn("kubectl not installed: the overlays are rendered by the test's own kustomize subset");
});

describe("docker-compose.yml", () => {
  const compose = Bun.YAML.parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as Obj;
  const services = compose.services as Record<string, Obj>;

  test("runs the whole stack, every container with resource limits", () => {
    for (const name of [...SERVICES, "nats", "redis", "timescaledb", "prometheus", "grafana"]) {
      expect(services[name]).toBeDefined();
      expect(services[name].profiles).toBeUndefined();
    }
    for (const [name, s] of Object.entries(services)) {
      expect(s.deploy?.resources?.limits?.memory, name).toBeDefined();
      expect(s.deploy?.resources?.limits?.cpus, name).toBeDefined();
      expect(s.image ?? s.build, name).toBeDefined();
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect(services[dep], `${name} → ${dep}`).toBeDefined();
      for (const v of s.volumes ?? []) {
        const [src] = String(v).split(":");
        if (src!.startsWith("./")) expect(existsSync(join(REPO_ROOT, src!)), `${name}: ${src}`).toBe(true);
      }
    }
  });

  test("the services build from infra/Dockerfile with their app and listen where Prometheus scrapes", () => {
    const prom = Bun.YAML.parse(
      readFileSync(join(REPO_ROOT, "infra/prometheus/prometheus.yml"), "utf8"),
    ) as Obj;
    for (const name of SERVICES) {
      const s = services[name];
      expect(s.build).toMatchObject({ context: ".", dockerfile: "infra/Dockerfile", args: { APP: name } });
      expect(existsSync(join(REPO_ROOT, "apps", name, "src/main.ts"))).toBe(true);
      expect(Number(s.environment.HTTP_PORT)).toBe(PORTS[name]!);
      const job = prom.scrape_configs.find((j: Obj) => j.job_name === name);
      expect(job.static_configs[0].targets).toEqual([`${name}:${PORTS[name]}`]);
    }
  });

  test("one simulator per exchange under the `simulated` profile, and the env file points at each", () => {
    const sims = Object.entries(services).filter(([n]) => n.startsWith("simulator-"));
    expect(sims.length).toBe(7);
    const env = Object.fromEntries(
      readFileSync(join(REPO_ROOT, "infra/compose/simulated.env"), "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(env.SOURCE).toBe("simulated");
    for (const [name, s] of sims) {
      expect(s.profiles).toEqual(["simulated"]);
      const exchange = s.environment.SIMULATOR_EXCHANGE;
      expect(name).toBe(`simulator-${exchange}`);
      expect(env.EXCHANGES?.split(",")).toContain(exchange);
      expect(env.EXCHANGE_URL_OVERRIDES).toContain(
        `${exchange}.ws=ws://${name}:${s.environment.SIMULATOR_PORT}`,
      );
    }
  });
});

describe("infra/Dockerfile", () => {
  const text = readFileSync(join(REPO_ROOT, "infra/Dockerfile"), "utf8");
  const lines = text.split("\n").filter((l) => !l.startsWith("#"));

  test("multi-stage: a dependency stage and a slim runtime, non-root, with a health check", () => {
    const froms = lines.filter((l) => l.startsWith("FROM "));
    expect(froms.length).toBe(2);
    expect(froms[1]).toMatch(/slim|alpine|distroless/);
    expect(text).toMatch(/COPY --from=deps/);
    const user = lines.findIndex((l) => /^USER (?!root)/.test(l));
    const cmd = lines.findIndex((l) => l.startsWith("CMD "));
    expect(user).toBeGreaterThan(0);
    expect(user).toBeLessThan(cmd);
    expect(text).toMatch(/HEALTHCHECK[\s\S]*\/health\/live/);
    expect(text).toMatch(/--frozen-lockfile --production/);
  });

  test("the dependency stage copies every workspace manifest (the lockfile install needs them all)", () => {
    const workspaces = ["apps", "packages"].flatMap((dir) =>
      readdirSync(join(REPO_ROOT, dir))
        .filter((d) => existsSync(join(REPO_ROOT, dir, d, "package.json")))
        .map((d) => `${dir}/${d}/package.json`),
    );
    for (const w of workspaces) expect(text).toContain(`COPY ${w} `);
  });
});

describe("the ingestor's runtime settings (docs/benchmarks.md, Allocator)", () => {
  const isSetting = (name: string) => /^(BUN_OPTIONS$|MIMALLOC_|BUN_JSC_)/.test(name);
  const settings = (env: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(env)
        .filter(([k]) => isSetting(k))
        .map(([k, v]) => [k, String(v)]),
    );

  /** infra/up.sh's `start ingestor` command: its NAME=value pairs (a `${X:-default}` gives the default) and bun flags. */
  function upShSettings(): Record<string, string> {
    const text = readFileSync(join(REPO_ROOT, "infra/up.sh"), "utf8");
    const command = /^start ingestor env ((?:.*\\\n)*.*)$/m.exec(text)?.[1]?.replaceAll("\\\n", " ");
    if (!command) throw new Error("infra/up.sh: no `start ingestor` command");
    const words = command.split(/\s+/).filter(Boolean);
    const env: Record<string, string> = {};
    for (const w of words) {
      const m = /^([A-Za-z_]+)="?(.*?)"?$/.exec(w);
      if (m && w.includes("=")) env[m[1]!] = m[2]!.replace(/^\$\{\w+:-(.*)\}$/, "$1");
    }
    env.BUN_OPTIONS = words
      .slice(words.indexOf("bun") + 1)
      .filter((w) => w.startsWith("--"))
      .join(" ");
    return settings(env);
  }

  const bench = settings(productionRuntimeEnv("ingestor"));

  test("the same in docker-compose.yml, the Kubernetes Deployment, infra/up.sh and the benchmarks", () => {
    const compose = Bun.YAML.parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as Obj;
    const deployment = find(baseObjects(), "Deployment", "ingestor");
    const k8sEnv = Object.fromEntries(
      deployment.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]),
    );
    expect(Object.keys(bench).length).toBeGreaterThan(1);
    expect(settings(compose.services.ingestor.environment)).toEqual(bench);
    expect(settings(k8sEnv)).toEqual(bench);
    expect(upShSettings()).toEqual(bench);
  });

  test("this bun accepts them (it refuses to start on a BUN_JSC_ option it does not know)", () => {
    const p = Bun.spawnSync([process.execPath, "-e", "1"], { env: { ...process.env, ...bench } });
    expect(p.exitCode, p.stderr.toString()).toBe(0);
  });
});
