// An independent OpenID4VCI 1.0 Credential Issuer: the OpenID Foundation's @openid4vc/openid4vci
// and @openid4vc/oauth2 server-side helpers, and @sd-jwt/core for the credential. Taito's wallet
// takes its offers in the tests.
//
// Input (one JSON argument): `base` (its https identifier, e.g. https://college.example), `vct`,
// `claims` (each one selectively disclosable), `names` ({locale: name} of the issuer),
// `type_names` ({locale: name} of the credential) and optionally `dpop` (true: the authorization
// server advertises DPoP, RFC 9449, binds the token to a DPoP proof's key when the token request
// has one, and the credential endpoint then takes the DPoP scheme with a proof of that key). It listens on 127.0.0.1 (any free port) and
// prints one JSON line: {"origin", "credential_issuer", "jwks"} (its issuer public key).
//
// Every https URL of `base` is served on the origin: Credential Issuer Metadata (1.0 §12.2),
// OAuth Authorization Server Metadata (RFC 8414) with its token endpoint and JWK Set, the
// credential offers by reference (§4.1.3), the Token Endpoint (§6: pre-authorized code, single
// use, its tx_code tried at most three times), the Nonce Endpoint (§7) and the Credential Endpoint (§8: a bearer
// access token of this server, one `jwt` key proof with a fresh nonce of this server, `aud` this
// issuer, `iat` within five minutes, ES256 or EdDSA only). The credential is a `dc+sd-jwt` SD-JWT
// VC signed with its own P-256 key and bound (`cnf.jwk`) to the proof's key.
//
// The test (plain http on the origin, not under `base`) makes offers with POST /make-offer and
// gets {"offer_link", "tx_code"}. After each issuance the script prints one JSON line
// {"issued": configuration id, "holder_jwk": the key it bound the credential to, "scheme": the
// authorization scheme the credential request used, "dpop_jwk": its DPoP key or null}.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from "node:crypto";
import { createServer } from "node:http";

import { Oauth2AuthorizationServer, Oauth2ResourceServer, Oauth2ServerErrorResponseError, Oauth2ResourceUnauthorizedError, preAuthorizedCodeGrantIdentifier } from "@openid4vc/oauth2";
import { Openid4vciIssuer, Openid4vciVersion } from "@openid4vc/openid4vci";
import { SDJwtInstance } from "@sd-jwt/core";

const input = JSON.parse(process.argv[2]);
const base = input.base;
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const ALGORITHMS = ["ES256", "EdDSA"];
const PROOF_MAX_AGE = 300;
const MAX_TX_CODE_ATTEMPTS = 3;

function keyPair(kid) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" } };
}
const credentialKey = keyPair("credential-1");
const tokenKey = keyPair("token-1");
const keysByKid = { [credentialKey.publicJwk.kid]: credentialKey, [tokenKey.publicJwk.kid]: tokenKey };

function hash(data, alg) {
  const name = { "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" }[String(alg).toLowerCase()] ?? "sha256";
  return new Uint8Array(createHash(name).update(typeof data === "string" ? Buffer.from(data) : Buffer.from(data)).digest());
}

function es256(privateKey) {
  return (data) => b64url(sign("sha256", Buffer.from(data), { key: privateKey, dsaEncoding: "ieee-p1363" }));
}

async function signJwt(signer, { header, payload }) {
  const key = keysByKid[signer.publicJwk?.kid] ?? tokenKey;
  const encoded = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return { jwt: `${encoded}.${es256(key.privateKey)(encoded)}`, signerJwk: key.publicJwk };
}

// Verifies a compact JWS with the signer's public JWK; only the allow-listed asymmetric
// algorithms (never `none` or an HMAC, whatever the header says).
async function verifyJwt(signer, { header, compact }) {
  const publicJwk = signer.publicJwk;
  if (!publicJwk || !ALGORITHMS.includes(header.alg) || signer.alg !== header.alg) return { verified: false };
  const [encodedHeader, encodedPayload, signature] = compact.split(".");
  const key = createPublicKey({ key: publicJwk, format: "jwk" });
  const data = Buffer.from(`${encodedHeader}.${encodedPayload}`);
  const ok = header.alg === "EdDSA"
    ? key.asymmetricKeyType === "ed25519" && verify(null, data, key, Buffer.from(signature, "base64url"))
    : key.asymmetricKeyType === "ec" && verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  return ok ? { verified: true, signerJwk: publicJwk } : { verified: false };
}

function localFetch(url) {
  if (String(url) === `${base}/jwks`) {
    return Promise.resolve(new Response(JSON.stringify(jwks(tokenKey)), { headers: { "content-type": "application/jwk-set+json" } }));
  }
  return Promise.reject(new Error("this issuer fetches nothing else"));
}

const callbacks = { hash, signJwt, verifyJwt, generateRandom: (n) => randomBytes(n), fetch: localFetch, clientAuthentication: () => {} };
const issuer = new Openid4vciIssuer({ callbacks });
const authorizationServer = new Oauth2AuthorizationServer({ callbacks });
const resourceServer = new Oauth2ResourceServer({ callbacks });
const jwks = (pair) => ({ keys: [pair.publicJwk] });

const display = (names) => Object.entries(names).map(([locale, name]) => ({ name, locale }));
const authorizationServerMetadata = authorizationServer.createAuthorizationServerMetadata({
  issuer: base,
  token_endpoint: `${base}/token`,
  jwks_uri: `${base}/jwks`,
  "pre-authorized_grant_anonymous_access_supported": true,
  ...(input.dpop ? { dpop_signing_alg_values_supported: ALGORITHMS } : {}),
});
const CONFIGURATION = "qualification";
const credentialIssuerMetadata = issuer.createCredentialIssuerMetadata({
  credential_issuer: base,
  credential_endpoint: `${base}/credential`,
  nonce_endpoint: `${base}/nonce`,
  display: display(input.names),
  credential_configurations_supported: {
    [CONFIGURATION]: {
      format: "dc+sd-jwt",
      vct: input.vct,
      cryptographic_binding_methods_supported: ["jwk"],
      credential_signing_alg_values_supported: ["ES256"],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ALGORITHMS } },
      credential_metadata: { display: display(input.type_names) },
    },
  },
});
const issuerMetadata = {
  originalDraftVersion: Openid4vciVersion.V1,
  credentialIssuer: credentialIssuerMetadata,
  authorizationServers: [authorizationServerMetadata],
  knownCredentialConfigurations: credentialIssuerMetadata.credential_configurations_supported,
};

const offers = new Map(); // offer id -> offer object
const codes = new Map(); // pre-authorized code -> { txCode, expiresAt }
const nonces = new Map(); // c_nonce -> expiry (ms)
const sdjwt = new SDJwtInstance({
  hasher: hash,
  hashAlg: "sha-256",
  saltGenerator: () => b64url(randomBytes(16)),
  signer: es256(credentialKey.privateKey),
  signAlg: "ES256",
});

async function makeOffer() {
  const id = randomUUID();
  const code = b64url(randomBytes(32));
  const txCode = String(randomBytes(4).readUInt32BE() % 1000000).padStart(6, "0");
  codes.set(code, { txCode, attempts: 0, expiresAt: new Date(Date.now() + 600_000) });
  const created = await issuer.createCredentialOffer({
    issuerMetadata,
    credentialConfigurationIds: [CONFIGURATION],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        "pre-authorized_code": code,
        tx_code: { input_mode: "numeric", length: 6, description: "The code we sent you by text message" },
      },
    },
    credentialOfferUri: `${base}/offers/${id}`,
    credentialOfferScheme: "openid-credential-offer://",
  });
  offers.set(id, created.credentialOfferObject);
  return { offer_link: created.credentialOffer, tx_code: txCode };
}

async function token(request, body) {
  const form = Object.fromEntries(new URLSearchParams(body).entries());
  const parsed = authorizationServer.parseAccessTokenRequest({ accessTokenRequest: form, request });
  if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
    throw new Oauth2ServerErrorResponseError({ error: "unsupported_grant_type" });
  }
  const code = parsed.grant.preAuthorizedCode;
  let verified;
  const stored = codes.get(code);
  if (!stored) throw new Oauth2ServerErrorResponseError({ error: "invalid_grant" });
  try {
    verified = await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
      authorizationServerMetadata,
      grant: parsed.grant,
      accessTokenRequest: parsed.accessTokenRequest,
      request,
      expectedPreAuthorizedCode: code,
      expectedTxCode: stored.txCode,
      preAuthorizedCodeExpiresAt: stored.expiresAt,
      dpop: { required: false, ...parsed.dpop },
      clientAttestation: { required: false, ...parsed.clientAttestation },
    });
  } catch (error) {
    // A wrong tx_code may be retried, three times in all; then the code is spent.
    stored.attempts += 1;
    if (stored.attempts >= MAX_TX_CODE_ATTEMPTS) codes.delete(code);
    throw error;
  }
  codes.delete(code); // single use
  return authorizationServer.createAccessTokenResponse({
    audience: base,
    authorizationServer: base,
    signer: { method: "jwk", alg: "ES256", publicJwk: tokenKey.publicJwk },
    subject: parsed.grant.preAuthorizedCode,
    expiresInSeconds: 300,
    dpop: verified.dpop && { jwk: verified.dpop.jwk },
  });
}

function nonce() {
  const value = b64url(randomBytes(24));
  nonces.set(value, Date.now() + 300_000);
  return issuer.createNonceResponse({ cNonce: value, cNonceExpiresIn: 300 });
}

async function credential(request, body) {
  const access = await resourceServer.verifyResourceRequest({
    request,
    resourceServer: base,
    authorizationServers: issuerMetadata.authorizationServers,
    allowedAuthenticationSchemes: input.dpop ? ["Bearer", "DPoP"] : ["Bearer"],
  });
  const parsed = issuer.parseCredentialRequest({ issuerMetadata, credentialRequest: JSON.parse(body) });
  const jwts = parsed.proofs?.jwt ?? [];
  if (parsed.credentialConfigurationId !== CONFIGURATION || jwts.length !== 1) {
    throw new Oauth2ServerErrorResponseError({ error: "invalid_credential_request" });
  }
  const proofPayload = JSON.parse(Buffer.from(jwts[0].split(".")[1] ?? "", "base64url"));
  const expiry = nonces.get(proofPayload.nonce);
  nonces.delete(proofPayload.nonce); // single use
  const age = Math.floor(Date.now() / 1000) - proofPayload.iat;
  if (!expiry || !(Math.abs(age) <= PROOF_MAX_AGE)) {
    throw new Oauth2ServerErrorResponseError({ error: "invalid_nonce" });
  }
  const verified = await issuer.verifyCredentialRequestJwtProof({
    issuerMetadata,
    jwt: jwts[0],
    expectedNonce: proofPayload.nonce,
    nonceExpiresAt: new Date(expiry),
  });
  const holderJwk = verified.signer.publicJwk;
  const now = Math.floor(Date.now() / 1000);
  const issued = await sdjwt.issue(
    { iss: base, vct: input.vct, iat: now, nbf: now, exp: now + 365 * 86400, cnf: { jwk: holderJwk }, ...input.claims },
    { _sd: Object.keys(input.claims) },
    { header: { typ: "dc+sd-jwt", kid: credentialKey.publicJwk.kid } },
  );
  process.stdout.write(JSON.stringify({
    issued: CONFIGURATION, holder_jwk: holderJwk, scheme: access.scheme, dpop_jwk: access.dpop?.jwk ?? null,
  }) + "\n");
  return issuer.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential: issued }] });
}

function readBody(request) {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => resolve(body));
  });
}

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

function send(response, status, document, type = "application/json") {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(JSON.stringify(document));
}

server.on("request", async (request, response) => {
  const body = await readBody(request);
  const path = request.url;
  // The library reads the request as a fetch API request would be: its URL under `base`.
  const requestLike = { method: request.method, url: `${base}${path}`, headers: new Headers(request.headers) };
  try {
    if (request.method === "GET" && path === "/.well-known/openid-credential-issuer") {
      return send(response, 200, credentialIssuerMetadata);
    }
    if (request.method === "GET" && path === "/.well-known/oauth-authorization-server") {
      return send(response, 200, authorizationServerMetadata);
    }
    if (request.method === "GET" && path === "/.well-known/jwt-vc-issuer") {
      return send(response, 200, { issuer: base, jwks: jwks(credentialKey) });
    }
    if (request.method === "GET" && path === "/jwks") {
      return send(response, 200, jwks(tokenKey), "application/jwk-set+json");
    }
    if (request.method === "GET" && path.startsWith("/offers/") && offers.has(path.slice(8))) {
      return send(response, 200, offers.get(path.slice(8)));
    }
    if (request.method === "POST" && path === "/make-offer") return send(response, 201, await makeOffer());
    if (request.method === "POST" && path === "/token") return send(response, 200, await token(requestLike, body));
    if (request.method === "POST" && path === "/nonce") return send(response, 200, nonce());
    if (request.method === "POST" && path === "/credential") return send(response, 200, await credential(requestLike, body));
    return send(response, 404, { error: "not_found" });
  } catch (error) {
    if (error instanceof Oauth2ResourceUnauthorizedError) return send(response, 401, { error: "invalid_token" });
    if (error instanceof Oauth2ServerErrorResponseError) return send(response, 400, error.errorResponse);
    return send(response, 400, { error: "invalid_request" });
  }
});

process.stdout.write(JSON.stringify({ origin, credential_issuer: base, jwks: jwks(credentialKey) }) + "\n");
setTimeout(() => process.exit(3), 120_000).unref();
