/**
 * The redaction rules on their own: what is masked (by key, by shape, in URLs) and — as
 * important — what is left alone, since a redactor that eats ids and timestamps gets turned off.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, passesLuhn } from '../../../src/redact/redact.ts';

const M = '[REDACTED]';
const r = createRedactor();

describe('keys', () => {
  it('replaces values of default sensitive keys at any depth, whatever their spelling', () => {
    const out = r.value({
      password: 'p1',
      user: { Passwd: 'p2', profile: { api_key: 'k1', apiKey: 'k2', 'X-Api-Key': 'k3', API_KEY: 'k4' } },
      headers: { Authorization: 'Basic x', Cookie: 'sid=1', 'Set-Cookie': ['a=1', 'b=2'] },
      aws: { secretAccessKey: 's', sessionToken: 't', accessKeyId: 'AKIA…' },
      idp: { client_secret: 'c', access_token: 'a', refresh_token: 'r', id_token: 'i' },
      pem: { private_key: 'k', privateKey: 'k' },
      payment: { card_number: '4111', creditCard: '4111', cvv: '123', cvc: 1 },
      person: { ssn: '078-05-1120', user_ssn: 'x', pin: 1234 },
      session: { id: 'abc' },
      items: [{ token: 't1' }, { token: 't2' }],
    }) as Record<string, any>;
    assert.equal(out.password, M);
    assert.equal(out.user.Passwd, M);
    assert.deepEqual(out.user.profile, { api_key: M, apiKey: M, 'X-Api-Key': M, API_KEY: M });
    assert.deepEqual(out.headers, { Authorization: M, Cookie: M, 'Set-Cookie': M });
    assert.deepEqual(out.aws, { secretAccessKey: M, sessionToken: M, accessKeyId: M });
    assert.deepEqual(out.idp, { client_secret: M, access_token: M, refresh_token: M, id_token: M });
    assert.deepEqual(out.pem, { private_key: M, privateKey: M });
    assert.deepEqual(out.payment, { card_number: M, creditCard: M, cvv: M, cvc: M });
    assert.deepEqual(out.person, { ssn: M, user_ssn: M, pin: M });
    assert.equal(out.session, M);
    assert.deepEqual(out.items, [{ token: M }, { token: M }]);
  });

  it('leaves look-alike keys, counts, names and flags alone', () => {
    const input = {
      author: 'ada',
      classname: 'x',
      spinner: 3,
      bypass: 'yes',
      token_type: 'refresh',
      token_count: 12,
      total_tokens: 512,
      secret_name: 'prod/db',
      password_length: 12,
      expires_in: 3600,
      hasToken: true,
      password: null,
      order_id: 'ord_1',
    };
    assert.deepEqual(r.value(input), input);
  });

  it('a plural "tokens" key is a count only when it holds a number', () => {
    assert.deepEqual(r.value({ tokens: 42, refresh_tokens: ['a', 'b'] }), { tokens: 42, refresh_tokens: M });
  });

  it('users add keys (any spelling) and allow-list keys', () => {
    const custom = createRedactor({ keys: ['customerEmail', 'tax-id'], allowKeys: ['session', 'http.request.header.cookie'] });
    const out = custom.value({
      customer_email: 'a@b.c',
      CustomerEmail: 'a@b.c',
      TAX_ID: '1',
      session: 'kept',
      'http.request.header.cookie': 'kept too',
      password: 'still masked',
    });
    assert.deepEqual(out, {
      customer_email: M,
      CustomerEmail: M,
      TAX_ID: M,
      session: 'kept',
      'http.request.header.cookie': 'kept too',
      password: M,
    });
  });

  it('a custom marker is used everywhere', () => {
    const custom = createRedactor({ marker: '***' });
    assert.deepEqual(custom.value({ password: 'x', note: 'token=abc' }), { password: '***', note: 'token=***' });
  });
});

describe('values: shapes inside any string', () => {
  const cases: Array<[string, string, string]> = [
    ['bearer token', 'calling with Bearer abcdefghijklmnopqrstuvwxyz012345 now', `calling with Bearer ${M} now`],
    ['auth header in text', 'Authorization: Bearer abcdefghijklmnopqrstuv', `Authorization: ${M}`],
    ['basic credentials', 'sent Basic dXNlcjpwYXNzd29yZA== to proxy', `sent Basic ${M} to proxy`],
    [
      'JWT',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected',
      `jwt ${M} rejected`,
    ],
    ['AWS access key id', 'using AKIAIOSFODNN7EXAMPLE in us-east-1', `using ${M} in us-east-1`],
    ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A expired', `${M} expired`],
    ['AWS secret key next to its name', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key=${M}`],
    ['AWS secret key in JSON', '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}', `{"SecretAccessKey": "${M}"}`],
    ['PEM private key', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- loaded', `key: ${M} loaded`],
    ['PEM cut before its END line', 'x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B', `x ${M}`],
    ['Visa, grouped', 'card 4111 1111 1111 1111 declined', `card ${M} declined`],
    ['Mastercard, dashes', 'card 5555-5555-5555-4444', `card ${M}`],
    ['Amex 4-6-5', 'amex 3782 822463 10005', `amex ${M}`],
    ['card, no separators', 'pan=4012888888881881', `pan=${M}`],
    ['password pair', 'connect failed password=hunter2 host=db', `connect failed password=${M} host=db`],
    ['quoted JSON pair', '{"user":"bob","password":"correct horse battery"}', `{"user":"bob","password":"${M}"}`],
    ['escaped JSON pair', '{\\"client_secret\\":\\"abc def\\"}', `{\\"client_secret\\":\\"${M}\\"}`],
    ['URL password', 'postgres://admin:s3cr3t@db.internal:5432/app', `postgres://admin:${M}@db.internal:5432/app`],
    ['token in a query', 'GET https://x.test/cb?code=abc123&state=xyz&access_token=tok', `GET https://x.test/cb?code=${M}&state=xyz&access_token=${M}`],
    ['presigned URL', 'https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F2026&X-Amz-Signature=deadbeef&X-Amz-Expires=60', `https://b.s3.amazonaws.com/k?X-Amz-Credential=${M}&X-Amz-Signature=${M}&X-Amz-Expires=60`],
    ['GitHub token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB leaked', `${M} leaked`],
    ['Stripe key', 'sk_live_51HabcdefghijklmnopQRSTUV', M],
    ['Slack token', 'xoxb-123456789012-abcdefghijkl', M],
  ];
  for (const [name, input, expected] of cases) {
    it(`masks a ${name}`, () => assert.equal(r.text(input), expected));
  }

  const untouched = [
    'order placed',
    'cus_4411',
    '2026-11-22T10:15:30.123Z',
    'c4b1f9a2-6d3e-4f7a-9b21-3e8d5a7c1f40',
    '4bf92f3577b34da6a3ce929d0e0e4736',
    'epoch 1732000000000 ms',
    'not a card 4111 1111 1111 1112',
    'basic information about the order',
    'the bearer of this note',
    'invalid password for user bob',
    'token expired: please log in again',
    'passenger_count=5 spinner: 3',
    'token_type=Bearer',
    '/orders/{id}',
    'https://api.example.com/v1/orders/42',
  ];
  for (const text of untouched) {
    it(`leaves "${text}" alone`, () => assert.equal(r.text(text), text));
  }

  it('user patterns mask every match', () => {
    const custom = createRedactor({ patterns: [/ORD-\d{6}/, 'cus_[a-z0-9]{8}'] });
    assert.equal(custom.text('order ORD-123456 of cus_abcd1234 and ORD-654321'), `order ${M} of ${M} and ${M}`);
  });

  it('Luhn', () => {
    assert.equal(passesLuhn('4111111111111111'), true);
    assert.equal(passesLuhn('4111111111111112'), false);
    assert.equal(passesLuhn('79927398713'), false, 'too short for a card');
  });
});

describe('URL fields', () => {
  it('mask every query value of url.full / http.target / url.query, keeping names', () => {
    const out = r.attributes({
      'url.full': 'https://api.test/orders?page=2&email=a%40b.c#frag=1',
      'http.target': '/orders?id=42&debug',
      'url.query': 'a=1&b=&c=3',
      'url.path': '/orders/42',
      'http.route': '/orders/{id}',
    });
    assert.deepEqual(out, {
      'url.full': `https://api.test/orders?page=${M}&email=${M}#frag=${M}`,
      'http.target': `/orders?id=${M}&debug`,
      'url.query': `a=${M}&b=&c=${M}`,
      'url.path': '/orders/42',
      'http.route': '/orders/{id}',
    });
  });

  it('nested `url: { full }` and `request.url` are URL fields too', () => {
    assert.deepEqual(r.value({ url: { full: 'https://h/p?a=1' }, request: { url: '/p?b=2' } }), {
      url: { full: `https://h/p?a=${M}` },
      request: { url: `/p?b=${M}` },
    });
  });
});

describe('attributes and label values', () => {
  it('redactAttributes returns the same object when nothing needs redaction, and never mutates', () => {
    const clean = { 'http.route': '/orders/{id}', 'http.response.status_code': 200, 'faas.coldstart': true };
    assert.equal(r.attributes(clean), clean);
    const dirty = Object.freeze({ 'http.request.header.authorization': 'Bearer abcdefghijklmnop', 'db.statement': 'select 1', tags: ['ok', 'token=abc'] });
    const out = r.attributes(dirty);
    assert.notEqual(out, dirty);
    assert.deepEqual(out, { 'http.request.header.authorization': M, 'db.statement': 'select 1', tags: ['ok', `token=${M}`] });
    assert.equal(dirty['http.request.header.authorization'], 'Bearer abcdefghijklmnop');
  });

  it('label values: by the label name, by shape, numbers as card numbers', () => {
    assert.equal(r.labelValue('abc', 'api_key'), M);
    assert.equal(r.labelValue('GET /orders', 'route'), 'GET /orders');
    assert.equal(r.labelValue('user AKIAIOSFODNN7EXAMPLE'), `user ${M}`);
    assert.equal(r.labelValue(4111111111111111), M);
    assert.equal(r.labelValue(200, 'status'), 200);
    assert.equal(r.labelValue(true, 'token'), true);
  });
});
