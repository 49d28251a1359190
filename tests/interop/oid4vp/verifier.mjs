// An independent OpenID4VP 1.0 verifier (the OpenID Foundation's @openid4vc/openid4vp and the
// @sd-jwt/core library) that Taito's wallet answers.
//
// Input (one JSON argument): certificate_pem and key_pem (its x509_hash client identifier and
// the key signing its Request Object), issuer_jwks (the keys of the issuer it trusts), dcql_query,
// and optionally response_mode "direct_post.jwt" (then its client_metadata carries a fresh P-256
// ECDH-ES key, and the library decrypts the response with the `jose` library, OpenID4VP 1.0
// §8.3.1). It listens on 127.0.0.1 (any free port), prints one JSON line with the openid4vp://
// link, serves the signed Request Object at its request_uri (GET or POST with wallet_nonce),
// takes one response, verifies every presentation (issuer signature, KB-JWT signature with the
// cnf key, its aud, nonce and sd_hash), answers 200, prints one JSON line with what it verified
// and exits.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, X509Certificate } from "node:crypto";
import { createServer } from "node:http";

import { setGlobalConfig } from "@openid4vc/oauth2";
import {
  Openid4vpVerifier,
  calculateX509HashClientIdPrefixValue,
  parseOpenid4vpAuthorizationResponse,
} from "@openid4vc/openid4vp";
import { SDJwtInstance } from "@sd-jwt/core";
import { compactDecrypt, exportJWK, generateKeyPair } from "jose";

setGlobalConfig({ allowInsecureUrls: true });

const input = JSON.parse(process.argv[2]);
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const certificate = new X509Certificate(input.certificate_pem);
const x5c = [certificate.raw.toString("base64")];
const signingKey = createPrivateKey(input.key_pem);

function hash(data, alg) {
  const name = { "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" }[alg] ?? alg;
  return new Uint8Array(createHash(name).update(data).digest());
}

async function signJwt(signer, { header, payload }) {
  const encoded = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign("sha256", Buffer.from(encoded), { key: signingKey, dsaEncoding: "ieee-p1363" });
  return { jwt: `${encoded}.${b64url(signature)}`, signerJwk: certificate.publicKey.export({ format: "jwk" }) };
}

const clientIdHash = await calculateX509HashClientIdPrefixValue({
  x509Certificate: x5c[0],
  hash,
});
const clientId = `x509_hash:${clientIdHash}`;
const verifier = new Openid4vpVerifier({
  callbacks: { signJwt, hash, generateRandom: (n) => randomBytes(n), verifyJwt: async () => ({ verified: false }) },
});

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const nonce = b64url(randomBytes(16));
const state = b64url(randomBytes(16));
const encrypted = input.response_mode === "direct_post.jwt";
const encryptionKeys = encrypted ? await generateKeyPair("ECDH-ES", { crv: "P-256" }) : undefined;
const encryptionJwk = encrypted
  ? { ...(await exportJWK(encryptionKeys.publicKey)), kid: "enc-1", use: "enc", alg: "ECDH-ES" }
  : undefined;

// The library hands over the JWE and the client_metadata key its kid names; jose decrypts.
async function decryptJwe(jwe, options) {
  if (!encrypted || options?.jwk?.kid !== encryptionJwk.kid) return { decrypted: false };
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, encryptionKeys.privateKey, {
    keyManagementAlgorithms: ["ECDH-ES"],
    contentEncryptionAlgorithms: ["A128GCM", "A256GCM"],
  });
  decryptedHeader = protectedHeader;
  return { decrypted: true, decryptionJwk: encryptionJwk, payload: new TextDecoder().decode(plaintext) };
}
let decryptedHeader;

const payload = {
  response_type: "vp_token",
  client_id: clientId,
  response_mode: encrypted ? "direct_post.jwt" : "direct_post",
  response_uri: `${origin}/response`,
  nonce,
  state,
  dcql_query: input.dcql_query,
  client_metadata: {
    vp_formats_supported: { "dc+sd-jwt": { "sd-jwt_alg_values": ["ES256", "EdDSA"], "kb-jwt_alg_values": ["ES256", "EdDSA"] } },
    ...(encrypted ? { jwks: { keys: [encryptionJwk] }, encrypted_response_enc_values_supported: ["A128GCM", "A256GCM"] } : {}),
  },
};

async function requestObject(walletNonce) {
  const created = await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: payload,
    jar: { requestUri: `${origin}/request`, jwtSigner: { method: "x5c", x5c, alg: "ES256" } },
    wallet: walletNonce ? { nonce: walletNonce } : undefined,
  });
  return created;
}

const first = await requestObject();
process.stdout.write(JSON.stringify({ authorization_request_uri: first.authorizationRequest, client_id: clientId }) + "\n");

function readBody(request) {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => resolve(body));
  });
}

async function verifyPresentation(presentation) {
  const issuerJwt = presentation.split("~")[0];
  const issuerHeader = JSON.parse(Buffer.from(issuerJwt.split(".")[0], "base64url"));
  const issuerKeys = input.issuer_jwks.keys.filter((k) => !issuerHeader.kid || k.kid === issuerHeader.kid);
  const jwsVerify = (key) => (data, sig) =>
    verify(key.asymmetricKeyType === "ed25519" ? null : "sha256", Buffer.from(data),
      key.asymmetricKeyType === "ed25519" ? key : { key, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url"));
  const issuerKey = createPublicKey({ key: issuerKeys[0], format: "jwk" });
  const sdjwt = new SDJwtInstance({
    hasher: (data, alg) => hash(typeof data === "string" ? Buffer.from(data) : data, alg),
    verifier: jwsVerify(issuerKey),
    kbVerifier: (data, sig, jwtPayload) => jwsVerify(createPublicKey({ key: jwtPayload.cnf.jwk, format: "jwk" }))(data, sig),
  });
  const result = await sdjwt.verify(presentation, { keyBindingNonce: nonce, requireKeyBindings: true });
  if (!result.kb || result.kb.payload.aud !== clientId || result.kb.payload.nonce !== nonce) {
    throw new Error("the key binding is not for this verifier and nonce");
  }
  const claims = await sdjwt.getClaims(presentation);
  return { vct: claims.vct, disclosed: Object.keys(claims).filter((k) => !["iss", "vct", "iat", "exp", "nbf", "cnf", "status", "sub", "_sd_alg"].includes(k)) };
}

server.on("request", async (request, response) => {
  try {
    if (request.url === "/request") {
      let created = first;
      if (request.method === "POST") {
        const form = new URLSearchParams(await readBody(request));
        created = await requestObject(form.get("wallet_nonce") ?? undefined);
      }
      response.writeHead(200, { "content-type": "application/oauth-authz-req+jwt" });
      response.end(created.jar.authorizationRequestJwt);
      return;
    }
    if (request.url === "/response" && request.method === "POST") {
      const form = Object.fromEntries(new URLSearchParams(await readBody(request)).entries());
      const outcome = { state_matches: form.state === state, encrypted: form.response !== undefined };
      if (form.error) {
        outcome.error = form.error;
      } else {
        const parsed = await parseOpenid4vpAuthorizationResponse({
          authorizationResponse: form,
          authorizationRequestPayload: payload,
          callbacks: { verifyJwt: async () => ({ verified: false }), decryptJwe },
        });
        if (form.response !== undefined) {
          outcome.state_matches = parsed.authorizationResponsePayload?.state === state;
          outcome.jwe_header = decryptedHeader;
        }
        const presentations = [];
        for (const [queryId, entries] of Object.entries(parsed.dcql.presentations)) {
          for (const entry of [entries].flat()) presentations.push({ queryId, ...(await verifyPresentation(entry)) });
        }
        outcome.verified = true;
        outcome.presentations = presentations;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
      process.stdout.write(JSON.stringify(outcome) + "\n");
      server.close();
      return;
    }
    response.writeHead(404);
    response.end();
  } catch (error) {
    response.writeHead(400, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "invalid_request" }));
    process.stdout.write(JSON.stringify({ verified: false, error: String(error?.message ?? error) }) + "\n");
    server.close();
  }
});
setTimeout(() => process.exit(3), 60000).unref();
