// A real OpenID provider for the single sign-on tests: oidc-provider (OpenID Certified), on this
// machine only. Its development sign-in form takes any login: the login typed is the account id and
// the email address, so a test signs in as whoever it needs (ada@brent.gov.uk, eve@elsewhere.example).
//
//   PORT=... REDIRECT_URIS=http://127.0.0.1:8000/sign-in/sso/callback node provider.mjs
//
// Two clients, both confidential (client_secret_basic) and both made to use PKCE:
//   hackday       the platform, as a council registers it;
//   clock-behind  the same, but the provider's clock runs two hours behind while it answers this
//                 client's token requests, so the ID tokens it gets have already expired.
// and two whose token answers are tampered with on the way out, as an attacker in the middle would:
//   forged-signature  the ID token re-signed with a key the provider never published (same key id);
//   wrong-audience    the ID token re-signed with the provider's own key, but meant for another client.
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);
const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

// The provider's signing key, made here (not oidc-provider's built-in development key) so that the
// wrong-audience client's tokens can be re-signed with exactly the key the provider publishes.
const KID = 'test-signing-key';
const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const provider = new Provider(issuer, {
  clients: [client('hackday'), client('clock-behind'), client('forged-signature'), client('wrong-audience')],
  jwks: { keys: [{ ...signing.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['test-only-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const local = id.split('@')[0];
        const name = local.split(/[._-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
        return { sub: `subject-${id}`, email: id, email_verified: true, name };
      },
    };
  },
});

// The client a token request authenticates as (client_secret_basic).
const clientOf = (ctx) => {
  const auth = ctx.get('authorization');
  return auth.startsWith('Basic ') ? decodeURIComponent(Buffer.from(auth.slice(6), 'base64').toString().split(':')[0]) : '';
};

const b64url = (value) => Buffer.from(value).toString('base64url');

// An RS256 JWT of these header and claims, signed with `key`.
const signed = (header, claims, key) => {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
};

provider.use(async (ctx, next) => {
  const who = clientOf(ctx);
  if (ctx.path !== '/token' || !['forged-signature', 'wrong-audience'].includes(who)) return next();
  await next();
  if (!ctx.body || typeof ctx.body.id_token !== 'string') return;
  const [rawHeader, rawClaims] = ctx.body.id_token.split('.');
  const header = JSON.parse(Buffer.from(rawHeader, 'base64url'));
  const claims = JSON.parse(Buffer.from(rawClaims, 'base64url'));
  ctx.body = {
    ...ctx.body,
    id_token:
      who === 'forged-signature'
        ? signed(header, claims, forger)
        : signed(header, { ...claims, aud: 'another-relying-party' }, signing),
  };
});

const HOURS_BEHIND = 2 * 3600 * 1000;
provider.use(async (ctx, next) => {
  if (ctx.path !== '/token' || clientOf(ctx) !== 'clock-behind') return next();
  const realNow = Date.now;
  Date.now = () => realNow() - HOURS_BEHIND;
  try {
    await next();
  } finally {
    Date.now = realNow;
  }
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ready at ${issuer}`));
