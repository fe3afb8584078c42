/** A named budget: `points` requests per `durationSeconds`, counted per key. */
export interface Budget {
  name: string;
  points: number;
  durationSeconds: number;
}

export interface Budgets {
  ipPerMinute: number;
  userPerMinute: number;
  loginPerMinute: number;
  registerPerHour: number;
  passwordResetPerHour: number;
}

/** The declared routes with budgets of their own, by their `METHOD /template` key (never the path's spelling). */
const SENSITIVE: Record<string, 'login' | 'register' | 'password-reset'> = {
  'POST /api/users/login': 'login',
  'POST /api/users': 'register',
  'POST /api/users/password-reset': 'password-reset',
  'POST /api/users/password-reset/confirm': 'password-reset',
};

/**
 * Which budgets a request spends, and under which key: every request its IP's (and user's) general budget,
 * sensitive routes a stricter one. `route` is the matched declaration's key, so `/api/Users/Login` or
 * `/api/users//login` cannot dodge the login budget: they match no route at all.
 */
export function budgetsFor(
  request: { route?: string; ip: string; userId?: string },
  b: Budgets,
): { budget: Budget; key: string }[] {
  const out: { budget: Budget; key: string }[] = [
    { budget: { name: 'ip', points: b.ipPerMinute, durationSeconds: 60 }, key: request.ip },
  ];
  if (request.userId) out.push({ budget: { name: 'user', points: b.userPerMinute, durationSeconds: 60 }, key: request.userId });
  const sensitive = request.route ? SENSITIVE[request.route] : undefined;
  if (sensitive === 'login') out.push({ budget: { name: 'login', points: b.loginPerMinute, durationSeconds: 60 }, key: request.ip });
  if (sensitive === 'register') out.push({ budget: { name: 'register', points: b.registerPerHour, durationSeconds: 3600 }, key: request.ip });
  if (sensitive === 'password-reset') out.push({ budget: { name: 'password-reset', points: b.passwordResetPerHour, durationSeconds: 3600 }, key: request.ip });
  return out;
}
