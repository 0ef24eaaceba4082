// A real OpenID provider (the `oidc-provider` package) for Noaber's single sign-on tests.
//
// One confidential client, PKCE (S256) required, and one test account with the claims Noaber
// maps: sub, email, name and `groups`. The sign-in pages are plain HTML forms a test can submit
// over HTTP: a login form (account and password) and a consent step that is granted at once.
//
// Configuration, from the environment:
//   NOABER_TEST_OIDC_CLIENT_ID      the client's id            (default noaber-test)
//   NOABER_TEST_OIDC_CLIENT_SECRET  the client's secret        (required)
//   NOABER_TEST_OIDC_REDIRECT_URL   the client's redirect URI  (default http://127.0.0.1:9/oidc/callback)
//   PORT                            the port on 127.0.0.1      (default 0: a free one)
//
// When it listens, the first line on standard output is its issuer URL, e.g.
// `http://127.0.0.1:40123`; everything else goes to standard error.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const clientId = process.env.NOABER_TEST_OIDC_CLIENT_ID || 'noaber-test';
const clientSecret = process.env.NOABER_TEST_OIDC_CLIENT_SECRET;
const redirectUrl = process.env.NOABER_TEST_OIDC_REDIRECT_URL || 'http://127.0.0.1:9/oidc/callback';
const port = Number(process.env.PORT || 0);

if (!clientSecret) {
  console.error('NOABER_TEST_OIDC_CLIENT_SECRET must be set');
  process.exit(2);
}

// The test account. Its password is part of the fixture, not a secret.
const ACCOUNTS = {
  'connector-alice': {
    password: 'correct horse battery staple',
    claims: {
      email: 'alice@example.org',
      email_verified: true,
      name: 'Alice de Vries',
      groups: ['noaber-connectors', 'staff-everyone'],
    },
  },
};

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, problem) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in to the test provider</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Account <input name="login" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

// The sign-in pages: GET shows the login form or grants consent, POST .../login checks the
// account and its password.
async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, 'this sign-in does not belong to this browser');
    return;
  }
  const { prompt, params, session } = details;

  if (req.method === 'GET' && !action && prompt.name === 'login') {
    send(res, 200, loginPage(uid));
    return;
  }

  if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
    const form = await readForm(req);
    const login = form.get('login') || '';
    const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
    if (!account || account.password !== form.get('password')) {
      send(res, 401, loginPage(uid, 'Unknown account or wrong password.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }

  if (req.method === 'GET' && !action && prompt.name === 'consent') {
    // The test client is first-party: consent is granted for whatever it asked.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  send(res, 400, `unexpected step: ${escapeHtml(req.method)} ${escapeHtml(prompt.name)}`);
}

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Scope-requested claims go into the ID token too, as Noaber reads the role claim there.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    async findAccount(ctx, id) {
      if (!Object.hasOwn(ACCOUNTS, id)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id].claims }) };
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/.exec(new URL(req.url, issuer).pathname);
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(provider, req, res, match[1], match[2]).catch((err) => {
      console.error('interaction failed:', err);
      if (!res.headersSent) send(res, 400, escapeHtml(err.message || 'interaction failed'));
    });
  });

  process.stdout.write(`${issuer}\n`);
  console.error(`oidc-provider listening: issuer ${issuer}, client ${clientId}, redirect ${redirectUrl}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
