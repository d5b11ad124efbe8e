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

const provider = new Provider(issuer, {
  clients: [client('hackday'), client('clock-behind')],
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

const HOURS_BEHIND = 2 * 3600 * 1000;
provider.use(async (ctx, next) => {
  const auth = ctx.get('authorization');
  const who = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':')[0] : '';
  if (ctx.path !== '/token' || decodeURIComponent(who) !== 'clock-behind') return next();
  const realNow = Date.now;
  Date.now = () => realNow() - HOURS_BEHIND;
  try {
    await next();
  } finally {
    Date.now = realNow;
  }
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ready at ${issuer}`));
