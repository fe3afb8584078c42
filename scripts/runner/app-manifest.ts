import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** One app of the Dapr Multi-App Run file (dapr.yaml). */
export interface AppSpec {
  appId: string;
  appDir: string;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  command: string[];
  env: Record<string, string>;
  /** Whether the app owns a Postgres database (named after the app id). */
  database: boolean;
  /** The app's Dapr Configuration file (access control differs per app). */
  configFile: string;
}

export interface Manifest {
  root: string;
  resourcesPath: string;
  /** The folder with the Dapr Configuration files. */
  configDir: string;
  apps: AppSpec[];
}

interface RawApp {
  appID?: string;
  appDirPath?: string;
  appPort?: number;
  daprHTTPPort?: number;
  daprGRPCPort?: number;
  command?: string[];
  env?: Record<string, string | number | boolean>;
  resourcesPath?: string;
  configFilePath?: string;
}

const stringEnv = (env: RawApp['env']) => Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));

/** Reads dapr.yaml, the single list of apps shared by our runner and `dapr run -f .`. */
export async function readManifest(root: string, file = 'dapr.yaml'): Promise<Manifest> {
  const doc = parse(await readFile(path.join(root, file), 'utf8')) as { version?: number; common?: RawApp; apps?: RawApp[] };
  if (doc?.version !== 1 || !Array.isArray(doc.apps)) throw new Error(`${file}: expected "version: 1" and an "apps" list`);
  const common = doc.common ?? {};
  const apps = doc.apps.map((raw, i): AppSpec => {
    const where = `${file}: apps[${i}]`;
    if (!raw.appID || !raw.appDirPath || !raw.appPort || !raw.daprHTTPPort || !raw.daprGRPCPort || !raw.command?.length) {
      throw new Error(`${where}: appID, appDirPath, appPort, daprHTTPPort, daprGRPCPort and command are required`);
    }
    const env = { ...stringEnv(common.env), ...stringEnv(raw.env) };
    return {
      appId: raw.appID,
      appDir: path.resolve(root, raw.appDirPath),
      appPort: raw.appPort,
      daprHttpPort: raw.daprHTTPPort,
      daprGrpcPort: raw.daprGRPCPort,
      command: raw.command,
      env,
      database: env.SERVICE_DATABASE === 'true',
      configFile: path.resolve(root, raw.configFilePath ?? common.configFilePath ?? 'dapr/config.yaml'),
    };
  });
  return {
    root,
    resourcesPath: path.resolve(root, common.resourcesPath ?? 'components'),
    configDir: path.resolve(root, 'dapr'),
    apps,
  };
}
