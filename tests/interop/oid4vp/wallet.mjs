// An independent OpenID4VP 1.0 wallet (the OpenID Foundation's @openid4vc/openid4vp and the
// @sd-jwt/core library) answering a Taito verifier's request.
//
// Input (one JSON argument): authorization_request_uri (openid4vp://...), credential (an SD-JWT VC
// Taito issued), holder_jwk (the private P-256 JWK the credential is bound to), disclose (claim
// names to reveal). It resolves the request (request_uri with request_uri_method post, the
// Request Object's signature checked with the x5c leaf key, the x509_hash client identifier
// checked by the library), presents the credential with a KB-JWT for the client_id and nonce,
// and posts the response with the request's response mode: direct_post, or direct_post.jwt
// (the library picks the verifier's key from client_metadata.jwks and the enc value, and the
// `jose` library encrypts: ECDH-ES, OpenID4VP 1.0 §8.3). Output (stdout, JSON): what happened
// at each step.
import { createHash, createPublicKey, createPrivateKey, randomBytes, sign, verify, X509Certificate } from "node:crypto";

import { setGlobalConfig } from "@openid4vc/oauth2";
import {
  resolveOpenid4vpAuthorizationRequest,
  createOpenid4vpAuthorizationResponse,
  submitOpenid4vpAuthorizationResponse,
} from "@openid4vc/openid4vp";
import { SDJwtInstance } from "@sd-jwt/core";
import { CompactEncrypt, importJWK } from "jose";

// The test server listens on http://127.0.0.1 (a development instance); https elsewhere.
setGlobalConfig({ allowInsecureUrls: true });

const input = JSON.parse(process.argv[2]);

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

function hash(data, alg) {
  const name = { "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" }[alg] ?? alg;
  return new Uint8Array(createHash(name).update(data).digest());
}

// Verifies the Request Object's ES256 signature with the key of the x5c leaf certificate.
// (Trust in the chain is a policy decision of the wallet: this test wallet pins the leaf it is
// told to expect, when given one.)
async function verifyJwt(signer, { compact }) {
  if (signer.method !== "x5c") return { verified: false };
  const leaf = new X509Certificate(Buffer.from(signer.x5c[0], "base64"));
  if (input.expected_leaf_hash && b64url(createHash("sha256").update(leaf.raw).digest()) !== input.expected_leaf_hash) {
    return { verified: false };
  }
  const [h, p, s] = compact.split(".");
  const ok = verify(
    "sha256",
    Buffer.from(`${h}.${p}`),
    { key: leaf.publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(s, "base64url"),
  );
  const signerJwk = leaf.publicKey.export({ format: "jwk" });
  return ok ? { verified: true, signerJwk } : { verified: false };
}

function getX509CertificateMetadata(certificate) {
  const leaf = new X509Certificate(Buffer.from(certificate, "base64"));
  const names = (leaf.subjectAltName ?? "").split(", ");
  return {
    sanDnsNames: names.filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4)),
    sanUriNames: names.filter((n) => n.startsWith("URI:")).map((n) => n.slice(4)),
  };
}

// The instance under test names itself https://taito.test and listens on 127.0.0.1: like a
// hosts-file entry, requests to that origin go to the listener (input.origins maps them).
function routedFetch(url, init) {
  let target = String(url);
  for (const [from, to] of Object.entries(input.origins ?? {})) {
    if (target.startsWith(from)) target = to + target.slice(from.length);
  }
  return fetch(target, init);
}

// The JWE of an encrypted response, made by an independent JOSE implementation (panva/jose).
async function encryptJwe(encryptor, plaintext) {
  const key = await importJWK(encryptor.publicJwk, encryptor.alg);
  const parameters = {};
  if (encryptor.apu) parameters.apu = Buffer.from(encryptor.apu, "base64url");
  if (encryptor.apv) parameters.apv = Buffer.from(encryptor.apv, "base64url");
  const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: encryptor.alg, enc: encryptor.enc, kid: encryptor.publicJwk.kid })
    .setKeyManagementParameters(parameters)
    .encrypt(key);
  return { encryptionJwk: encryptor.publicJwk, jwe };
}

const callbacks = {
  encryptJwe,
  verifyJwt,
  hash,
  fetch: routedFetch,
  getX509CertificateMetadata,
  generateRandom: (n) => randomBytes(n),
};

const link = new URL(input.authorization_request_uri);
const params = Object.fromEntries(link.searchParams.entries());
const out = { steps: [] };
try {
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: params,
    wallet: { nonce: b64url(randomBytes(16)) },
    callbacks,
  });
  const request = resolved.authorizationRequestPayload;
  out.steps.push("resolved");
  out.client = { prefix: resolved.client.prefix, identifier: resolved.client.identifier };
  out.version = resolved.version;
  out.dcql = resolved.dcql?.query;

  const holderKey = createPrivateKey({ key: input.holder_jwk, format: "jwk" });
  const sdjwt = new SDJwtInstance({
    hasher: (data, alg) => hash(typeof data === "string" ? Buffer.from(data) : data, alg),
    kbSignAlg: "ES256",
    kbSigner: (data) => b64url(sign("sha256", Buffer.from(data), { key: holderKey, dsaEncoding: "ieee-p1363" })),
  });
  const frame = Object.fromEntries(input.disclose.map((name) => [name, true]));
  const queryId = request.dcql_query.credentials[0].id;
  const presentation = await sdjwt.present(input.credential, frame, {
    kb: { payload: { aud: request.client_id, nonce: request.nonce, iat: Math.floor(Date.now() / 1000) } },
  });
  out.steps.push("presented");

  out.response_mode = request.response_mode;
  const jarm = request.response_mode === "direct_post.jwt"
    ? {
        encryption: { nonce: b64url(randomBytes(16)) },
        serverMetadata: {
          authorization_encryption_alg_values_supported: ["ECDH-ES"],
          authorization_encryption_enc_values_supported: ["A128GCM", "A256GCM"],
        },
      }
    : undefined;
  const response = await createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: { [queryId]: [presentation] } },
    jarm,
    callbacks,
  });
  out.encrypted = response.jarm?.responseJwt !== undefined;
  const submitted = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
    jarm: response.jarm,
    callbacks,
  });
  out.steps.push("submitted");
  out.status = submitted.response.status;
  out.body = await submitted.response.json();
} catch (error) {
  out.error = String(error?.message ?? error);
}
process.stdout.write(JSON.stringify(out));
