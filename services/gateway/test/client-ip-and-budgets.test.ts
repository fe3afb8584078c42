import test from 'ava';
import { clientIp, parseTrustedProxies } from '../src/domain/client-ip.js';
import { budgetsFor } from '../src/domain/rate-limit-policy.js';

const trusted = parseTrustedProxies('127.0.0.1, 10.0.0.5');

test('the socket peer is the client unless it is a trusted proxy', (t) => {
  t.is(clientIp('203.0.113.7', '198.51.100.1', trusted), '203.0.113.7', 'an untrusted peer cannot claim another address');
  t.is(clientIp('::ffff:127.0.0.1', '198.51.100.1', trusted), '198.51.100.1');
  t.is(clientIp('127.0.0.1', undefined, trusted), '127.0.0.1');
});

test('behind trusted proxies the right-most untrusted hop wins (left entries are client-controlled)', (t) => {
  t.is(clientIp('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.0.0.5', trusted), '198.51.100.1');
});

const budgets = { ipPerMinute: 100, userPerMinute: 50, loginPerMinute: 5, registerPerHour: 3, passwordResetPerHour: 2 };

test('every request spends its address budget, and its user budget when signed in', (t) => {
  t.deepEqual(budgetsFor({ route: 'GET /api/articles', ip: '1.1.1.1' }, budgets).map((b) => b.budget.name), ['ip']);
  t.deepEqual(budgetsFor({ route: 'GET /api/articles', ip: '1.1.1.1', userId: 'u' }, budgets).map((b) => [b.budget.name, b.key]), [['ip', '1.1.1.1'], ['user', 'u']]);
});

test('login, registration and password reset spend a stricter budget per address, keyed by the matched route', (t) => {
  const names = (route: string | undefined) => budgetsFor({ route, ip: 'x' }, budgets).map((b) => b.budget.name);
  t.deepEqual(names('POST /api/users/login'), ['ip', 'login']);
  t.deepEqual(names('POST /api/users'), ['ip', 'register']);
  t.deepEqual(names('POST /api/users/password-reset'), ['ip', 'password-reset']);
  t.deepEqual(names('POST /api/users/password-reset/confirm'), ['ip', 'password-reset']);
  t.deepEqual(names('GET /api/users/login'), ['ip']);
  t.deepEqual(names(undefined), ['ip']);
});

test('trusted proxies may be IPv4 ranges, as the gateway of a compose network is not known in advance', (t) => {
  const bridge = parseTrustedProxies('172.16.0.0/12, ::1');
  t.is(clientIp('172.18.0.1', '198.51.100.1', bridge), '198.51.100.1');
  t.is(clientIp('::ffff:172.31.255.254', '198.51.100.2', bridge), '198.51.100.2');
  t.is(clientIp('172.32.0.1', '198.51.100.1', bridge), '172.32.0.1', 'outside the range');
  t.is(clientIp('::1', '198.51.100.3', bridge), '198.51.100.3');
  t.is(clientIp('172.18.0.1', '172.18.0.9, 198.51.100.4', bridge), '198.51.100.4', 'the right-most untrusted hop');
  t.throws(() => parseTrustedProxies('10.0.0.0/33'), { message: /TRUSTED_PROXIES/ });
});
