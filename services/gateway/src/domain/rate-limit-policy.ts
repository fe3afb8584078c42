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

/** Which budgets a request spends, and under which key: every request its IP's (and user's) general budget, sensitive routes a stricter one. */
export function budgetsFor(
  request: { method: string; path: string; ip: string; userId?: string },
  b: Budgets,
): { budget: Budget; key: string }[] {
  const out: { budget: Budget; key: string }[] = [
    { budget: { name: 'ip', points: b.ipPerMinute, durationSeconds: 60 }, key: request.ip },
  ];
  if (request.userId) out.push({ budget: { name: 'user', points: b.userPerMinute, durationSeconds: 60 }, key: request.userId });
  if (request.method === 'POST') {
    const path = request.path.replace(/\/+$/, '');
    if (path === '/api/users/login') out.push({ budget: { name: 'login', points: b.loginPerMinute, durationSeconds: 60 }, key: request.ip });
    if (path === '/api/users') out.push({ budget: { name: 'register', points: b.registerPerHour, durationSeconds: 3600 }, key: request.ip });
    if (path === '/api/users/password-reset' || path === '/api/users/password-reset/confirm') {
      out.push({ budget: { name: 'password-reset', points: b.passwordResetPerHour, durationSeconds: 3600 }, key: request.ip });
    }
  }
  return out;
}
