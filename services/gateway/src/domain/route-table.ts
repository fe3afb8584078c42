/**
 * The public routes the gateway forwards: exactly the operations each service declares in its own OpenAPI
 * document (which its route declarations generate). A request is forwarded only when it matches one of them,
 * and the upstream path is rebuilt from the matched template with every parameter percent-encoded, so nothing
 * a client writes in a path can leave the invoked app's method space in daprd (@vcd/dapr's invokeUrl checks it again).
 */
import { isPublicPath } from '@vcd/http';

export const DOWNSTREAM_APPS = ['auth', 'blog', 'user'] as const;
export type DownstreamApp = (typeof DOWNSTREAM_APPS)[number];

type RouteAccess = 'public' | 'optional' | 'user' | 'editor' | 'admin';

/** One declared operation of a service (or of the gateway's own composition), as the gateway needs it. */
export interface DeclaredRoute {
  appId: DownstreamApp | 'gateway';
  method: string; // upper case
  /**
   * OpenAPI path template under /api/ or /feeds/, e.g. /api/articles/{slug}/comments/{id}; a parameter may be
   * followed by a literal extension in its segment (/feeds/tags/{tag}.atom).
   */
  template: string;
  access: RouteAccess;
  style: 'realworld' | 'problem';
}

export interface RouteMatch {
  route: DeclaredRoute;
  params: Record<string, string>;
}

/** The path exists, the method does not: the methods it allows, and its error style. */
export interface MethodMismatch {
  allowed: string[];
  style: DeclaredRoute['style'];
}

/**
 * Which service owns a path prefix. Used only to say "that service's routes are not known yet" (503) rather
 * than "no such route" (404) while a service's document could not be loaded; never to forward.
 */
const OWNERS: [RegExp, DownstreamApp][] = [
  [/^\/api\/users(\/|$)/, 'auth'],
  [/^\/api\/user\/(preferences|notifications)(\/|$)/, 'user'],
  [/^\/api\/user(\/|$)/, 'auth'],
  [/^\/api\/admin\/users(\/|$)/, 'auth'],
  [/^\/api\/profiles(\/|$)/, 'user'],
  [/^\/api\/(articles|tags|categories)(\/|$)/, 'blog'],
  [/^\/feeds(\/|$)/, 'blog'],
];

export function ownerOf(path: string): DownstreamApp | undefined {
  return OWNERS.find(([re]) => re.test(path))?.[1];
}

/** A literal segment, or a parameter (optionally followed by a literal extension such as `.atom`). */
type Segment = { literal: string } | { param: string; suffix?: string };

interface CompiledRoute {
  route: DeclaredRoute;
  segments: Segment[];
  /** Literal segments count: more specific templates win (`/articles/feed` over `/articles/{slug}`). */
  specificity: number;
}

const PARAM = /^\{([A-Za-z0-9_]+)\}(\.[A-Za-z0-9]+)?$/;

function compile(route: DeclaredRoute): CompiledRoute {
  if (!isPublicPath(route.template)) throw new Error(`${route.appId} declares a public route outside /api and /feeds: ${route.template}`);
  const segments: Segment[] = route.template
    .slice(1)
    .split('/')
    .map((s) => {
      const m = PARAM.exec(s);
      if (m) return m[2] ? { param: m[1]!, suffix: m[2] } : { param: m[1]! };
      if (s === '' || s === '.' || s === '..' || s.includes('{') || s.includes('%')) throw new Error(`${route.appId} declares a bad template ${route.template}`);
      return { literal: s };
    });
  // A parameter with an extension is half a literal: more specific than a bare parameter, less than a literal.
  const specificity = segments.reduce((n, s) => n + ('literal' in s ? 1 : s.suffix ? 0.5 : 0), 0);
  return { route, segments, specificity };
}

/** Percent-encodes a parameter so it stays one path segment (a `/` in it is `%2F`); never a dot-segment. */
export function encodeParam(value: string): string {
  if (value === '' || value === '.' || value === '..') throw new Error('a path parameter cannot be empty or a dot-segment');
  return encodeURIComponent(value);
}

/** The path to invoke on the owning service: the template with each parameter encoded. */
export function upstreamPath(match: RouteMatch): string {
  return match.route.template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => encodeParam(match.params[name]!));
}

export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(routes: DeclaredRoute[]) {
    this.routes = routes.map(compile).sort((a, b) => b.specificity - a.specificity);
  }

  get size(): number {
    return this.routes.length;
  }

  /**
   * The declared route for a method and decoded path segments, or the methods that path does allow (for a
   * 405, in the error style of that path: RealWorld when any of its routes is), or nothing. Literals compare
   * exactly (case-sensitive); a parameter takes one non-empty segment (less its extension, which must end the
   * segment; what is left must not be empty or a dot-segment).
   */
  match(method: string, segments: string[]): RouteMatch | MethodMismatch | undefined {
    const allowed = new Set<string>();
    let style: DeclaredRoute['style'] = 'problem';
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, segments);
      if (!params) continue;
      if (compiled.route.method === method || (method === 'HEAD' && compiled.route.method === 'GET')) return { route: compiled.route, params };
      allowed.add(compiled.route.method);
      if (compiled.route.style === 'realworld') style = 'realworld';
    }
    return allowed.size > 0 ? { allowed: [...allowed].sort(), style } : undefined;
  }
}

function matchSegments(template: Segment[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const s = segments[i]!;
    if ('literal' in t) {
      if (t.literal !== s) return undefined;
    } else {
      if (t.suffix && !s.endsWith(t.suffix)) return undefined;
      const value = t.suffix ? s.slice(0, -t.suffix.length) : s;
      if (value === '' || value === '.' || value === '..') return undefined;
      params[t.param] = value;
    }
  }
  return params;
}

const ACCESS: Record<string, RouteAccess> = { user: 'user', editor: 'editor', admin: 'admin' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * The declared routes in a service's OpenAPI document: each operation's method and path, who may call it
 * (`security` and `x-required-role`, as packages/http writes them) and its error style (`x-error-style`).
 */
export function routesFromOpenApi(appId: DownstreamApp, doc: { paths?: Record<string, Record<string, unknown>> }): DeclaredRoute[] {
  const out: DeclaredRoute[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    if (!isPublicPath(template)) continue;
    for (const method of METHODS) {
      const op = item[method] as { security?: unknown[]; 'x-required-role'?: string; 'x-error-style'?: string } | undefined;
      if (!op) continue;
      const role = op['x-required-role'];
      const security = op.security ?? [];
      const access: RouteAccess = role ? (ACCESS[role] ?? 'admin') : security.length === 0 ? 'public' : 'optional';
      out.push({ appId, method: method.toUpperCase(), template, access, style: op['x-error-style'] === 'realworld' ? 'realworld' : 'problem' });
    }
  }
  return out;
}
