import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export interface ResourceOverrides {
  /** Absolute path of the local secrets file. */
  secretsFile: string;
  /** Redis logical database for pub/sub (keeps test stacks apart from the dev stack). */
  redisDB: number;
  redisHost: string;
  /** SQLite file for name resolution. */
  nameResolutionDb: string;
  /** SMTP server for the e-mail binding (MailDev locally). */
  smtp: { host: string; port: number };
  /** Where daprd sends its spans (OTLP/HTTP host:port of the stack's trace backend); none: no export. */
  otlpEndpoint?: string;
  /** The sidecars' sampling ratio (0–1) instead of the Configuration's (everything, in development). */
  traceSamplingRate?: number;
}

interface MetadataItem {
  name: string;
  value?: unknown;
}
interface DaprResource {
  kind?: string;
  spec?: {
    type?: string;
    metadata?: MetadataItem[];
    nameResolution?: { component?: string; configuration?: Record<string, unknown> };
    tracing?: { samplingRate?: string; otel?: { endpointAddress?: string } };
  };
}

const setMeta = (res: DaprResource, name: string, value: string) => {
  const items = (res.spec!.metadata ??= []);
  const item = items.find((m) => m.name === name);
  if (item) item.value = value;
  else items.push({ name, value });
};

/**
 * Copies the Dapr resources (components/) and configuration (dapr/) into a run directory with the paths and
 * connection settings of this stack, so that a test stack never shares state with the dev stack.
 */
export async function renderResources(
  sources: { resourcesPath: string; configDir: string },
  runDir: string,
  o: ResourceOverrides,
): Promise<{ resourcesPath: string; configDir: string }> {
  const resourcesPath = path.join(runDir, 'components');
  const configDir = path.join(runDir, 'config');
  await mkdir(resourcesPath, { recursive: true });
  await mkdir(configDir, { recursive: true });
  for (const file of (await readdir(sources.resourcesPath)).filter((f) => /\.ya?ml$/.test(f))) {
    const docs = parseAllDocuments(await readFile(path.join(sources.resourcesPath, file), 'utf8')).map((d) => d.toJS() as DaprResource);
    for (const res of docs) {
      if (res?.kind !== 'Component') continue;
      if (res.spec?.type === 'secretstores.local.file') setMeta(res, 'secretsFile', o.secretsFile);
      if (res.spec?.type === 'bindings.smtp') {
        setMeta(res, 'host', o.smtp.host);
        setMeta(res, 'port', String(o.smtp.port));
      }
      if (res.spec?.type?.endsWith('.redis')) {
        setMeta(res, 'redisHost', o.redisHost);
        setMeta(res, 'redisDB', String(o.redisDB));
      }
    }
    await writeFile(path.join(resourcesPath, file), docs.map((d) => stringify(d)).join('---\n'));
  }
  const configSourceDir = sources.configDir;
  for (const file of (await readdir(configSourceDir)).filter((f) => /\.ya?ml$/.test(f))) {
    const doc = parseAllDocuments(await readFile(path.join(configSourceDir, file), 'utf8')).map((d) => d.toJS() as DaprResource);
    for (const res of doc) {
      const nr = res?.spec?.nameResolution;
      if (nr?.component === 'sqlite') nr.configuration = { ...nr.configuration, connectionString: o.nameResolutionDb };
      const tracing = res?.spec?.tracing;
      if (tracing?.otel) {
        if (o.otlpEndpoint) tracing.otel.endpointAddress = o.otlpEndpoint;
        else delete tracing.otel;
      }
      if (tracing && o.traceSamplingRate !== undefined) tracing.samplingRate = String(o.traceSamplingRate);
    }
    await writeFile(path.join(configDir, file), doc.map((d) => stringify(d)).join('---\n'));
  }
  return { resourcesPath, configDir };
}

/**
 * Sentry's Configuration (dapr/sentry/config.yaml) for this stack: its JWKS validator reads the keys from
 * `jwksFile` (scripts/runner/sentry-tokens.ts), so sentry signs an app id only for that app's token.
 */
export async function renderSentryConfig(configDir: string, runDir: string, jwksFile: string): Promise<string> {
  const config = parseAllDocuments(await readFile(path.join(configDir, 'sentry', 'config.yaml'), 'utf8'))[0]!.toJS() as {
    spec: { mtls: { tokenValidators?: { name: string; options?: Record<string, string> }[] } };
  };
  const jwks = config.spec.mtls.tokenValidators?.find((v) => v.name === 'jwks');
  if (!jwks) throw new Error('dapr/sentry/config.yaml: expected a "jwks" token validator (docs/adr/0010-sentry-identity.md)');
  jwks.options = { ...jwks.options, source: jwksFile };
  const file = path.join(runDir, 'config', 'sentry.yaml');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify(config));
  return file;
}
