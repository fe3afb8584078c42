/**
 * Offline validation of the deployment manifests: Kubernetes core kinds against the API schemas shipped in the
 * `kubernetes-models` package, Dapr kinds against our own JSON Schemas (deploy/schemas/dapr), and rendering of
 * the kustomize trees with the kustomize built into kubectl (or a standalone `kustomize`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schemaDir = path.join(repoRoot, 'deploy/schemas/dapr');

export interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML
  scopes?: string[];
  [key: string]: unknown;
}

/** Every YAML document of a file (or of a multi-document string), empty documents skipped. */
export function parseDocuments(text: string, source = '<string>'): Manifest[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length) throw new Error(`${source}: document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Manifest | null;
    return value ? [value] : [];
  });
}

export const loadDocuments = async (file: string) => parseDocuments(await readFile(file, 'utf8'), path.relative(repoRoot, file));

/** YAML files below a folder, recursively, in a stable order. */
export async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFilesUnder(full)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

const daprSchemaFiles: Record<string, string> = {
  'dapr.io/v1alpha1/Component': 'component.schema.json',
  'dapr.io/v1alpha1/Configuration': 'configuration.schema.json',
  'dapr.io/v1alpha1/Resiliency': 'resiliency.schema.json',
  'dapr.io/v2alpha1/Subscription': 'subscription.schema.json',
};

let daprValidators: Promise<Map<string, ValidateFunction>> | undefined;
function loadDaprValidators(): Promise<Map<string, ValidateFunction>> {
  daprValidators ??= (async () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    for (const file of (await readdir(schemaDir)).filter((f) => f.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(await readFile(path.join(schemaDir, file), 'utf8')) as object, file);
    }
    return new Map(Object.entries(daprSchemaFiles).map(([key, file]) => [key, ajv.getSchema(file)!]));
  })();
  return daprValidators;
}

/** The `kubernetes-models` module for an apiVersion: "apps/v1" → kubernetes-models/apps/v1, "v1" → kubernetes-models/v1. */
async function kubernetesModel(apiVersion: string, kind: string): Promise<(new (data: object) => { validate(): void }) | undefined> {
  try {
    const mod = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
    return mod[kind] as (new (data: object) => { validate(): void }) | undefined;
  } catch {
    return undefined;
  }
}

const describe = (doc: Manifest) => `${doc.kind ?? '?'}/${doc.metadata?.name ?? '?'}`;

/** Problems with one manifest; an empty list means valid. Unknown kinds are a problem, not a pass. */
export async function validateManifest(doc: Manifest): Promise<string[]> {
  if (!doc || typeof doc !== 'object') return ['not an object'];
  if (!doc.apiVersion || !doc.kind) return [`${describe(doc)}: apiVersion and kind are required`];
  if (!doc.metadata?.name) return [`${describe(doc)}: metadata.name is required`];
  if (doc.apiVersion.startsWith('dapr.io/')) {
    const validate = (await loadDaprValidators()).get(`${doc.apiVersion}/${doc.kind}`);
    if (!validate) return [`${describe(doc)}: no schema for ${doc.apiVersion} ${doc.kind} in deploy/schemas/dapr`];
    return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${describe(doc)}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  }
  const Model = await kubernetesModel(doc.apiVersion, doc.kind);
  if (!Model) return [`${describe(doc)}: ${doc.apiVersion} ${doc.kind} is not a Kubernetes kind known to kubernetes-models`];
  try {
    new Model(doc).validate();
    return [];
  } catch (err) {
    return [`${describe(doc)}: ${(err as Error).message}`];
  }
}

/** Renders a kustomization with `kustomize build` or `kubectl kustomize`, whichever is installed. */
export async function renderKustomization(dir: string): Promise<Manifest[]> {
  const candidates: [string, string[]][] = [
    ['kustomize', ['build', dir]],
    ['kubectl', ['kustomize', dir]],
  ];
  const errors: string[] = [];
  for (const [cmd, args] of candidates) {
    try {
      const { stdout } = await run(cmd, args, { maxBuffer: 1 << 26 });
      return parseDocuments(stdout, `${cmd} ${args.join(' ')}`);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') continue;
      errors.push(`${cmd}: ${e.stderr || e.message}`);
      break;
    }
  }
  if (errors.length) throw new Error(`rendering ${path.relative(repoRoot, dir)} failed:\n${errors.join('\n')}`);
  throw new Error('neither kustomize nor kubectl is installed (kubectl ships kustomize; see docs/deploy.md)');
}

export const kustomizations = {
  base: path.join(repoRoot, 'deploy/k8s/base'),
  local: path.join(repoRoot, 'deploy/k8s/overlays/local'),
  /** The local overlay on the project's own single-node cluster (npm run k8s:up, scripts/k8s/). */
  hostCluster: path.join(repoRoot, 'deploy/k8s/overlays/host-cluster'),
  daprSystem: path.join(repoRoot, 'deploy/k8s/dapr-system'),
};

export const exists = (p: string) => existsSync(p);
