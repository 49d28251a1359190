// An independent OpenID4VCI 1.0 wallet: the OpenID Foundation's @openid4vc/openid4vci client.
//
// Reads {"offer_link", "tx_code", "base", "origin", "alg", "dpop"} as JSON on stdin and runs the
// pre-authorized code flow against the issuer: resolve the offer (credential_offer_uri),
// fetch the Credential Issuer and Authorization Server metadata, token request with the
// tx_code, nonce, a jwt key proof signed with a fresh key of `alg`, credential request.
// With "dpop": true and `alg` among the Authorization Server's
// dpop_signing_alg_values_supported, the token and credential requests carry the library's
// DPoP proofs (RFC 9449) signed by a second fresh key of `alg`.
// Writes {"credential", "private_jwk", "metadata_issuer", "token_type", "dpop_public_jwk"} as
// JSON on stdout.
//
// The issuer's identifiers are https URLs on `base`; the test's server answers for them on
// `origin` (http://127.0.0.1:<port>), so the fetch callback maps the one to the other, as a
// hosts entry would. Nothing else is changed: every URL the library sees is https.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'

const input = JSON.parse(await new Promise((resolve) => {
  let data = ''
  process.stdin.on('data', (chunk) => { data += chunk })
  process.stdin.on('end', () => resolve(data))
}))

const b64url = (bytes) => Buffer.from(bytes).toString('base64url')

const localFetch = (url, init) => {
  const target = String(url instanceof Request ? url.url : url)
  if (!target.startsWith(input.base + '/')) throw new Error(`refusing to fetch ${target}`)
  return fetch(input.origin + target.slice(input.base.length), init)
}

const newKey = () => input.alg === 'EdDSA'
  ? generateKeyPairSync('ed25519')
  : generateKeyPairSync('ec', { namedCurve: 'P-256' })
const { privateKey, publicKey } = newKey()
const publicJwk = publicKey.export({ format: 'jwk' })
const dpopKey = newKey()
const dpopJwk = dpopKey.publicKey.export({ format: 'jwk' })

const signJwt = async (signer, { header, payload }) => {
  const key = signer.publicJwk?.x === dpopJwk.x ? dpopKey.privateKey : privateKey
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  const signature = input.alg === 'EdDSA'
    ? sign(null, Buffer.from(signingInput), key)
    : sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
  return { jwt: `${signingInput}.${b64url(signature)}`, signerJwk: signer.publicJwk ?? publicJwk }
}

const client = new Openid4vciClient({
  callbacks: {
    fetch: localFetch,
    signJwt,
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: (length) => randomBytes(length),
    clientAuthentication: clientAuthenticationAnonymous(),
  },
})

const offer = await client.resolveCredentialOffer(input.offer_link)
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer)
const advertised = issuerMetadata.authorizationServers[0]?.dpop_signing_alg_values_supported ?? []
if (input.dpop && !advertised.includes(input.alg)) {
  throw new Error(`the authorization server does not advertise DPoP with ${input.alg}`)
}
const dpopSigner = input.dpop ? { method: 'jwk', publicJwk: dpopJwk, alg: input.alg } : undefined
const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer,
  issuerMetadata,
  txCode: input.tx_code,
  dpop: dpopSigner && { signer: dpopSigner },
})
const [credentialConfigurationId] = offer.credential_configuration_ids
const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata })
const { jwt } = await client.createCredentialRequestJwtProof({
  issuerMetadata,
  credentialConfigurationId,
  signer: { method: 'jwk', publicJwk, alg: input.alg },
  nonce,
})
const response = await client.retrieveCredentials({
  issuerMetadata,
  accessToken: accessTokenResponse.access_token,
  credentialConfigurationId,
  proofs: { jwt: [jwt] },
  dpop,
})
const [{ credential }] = response.credentialResponse.credentials
process.stdout.write(JSON.stringify({
  credential,
  configuration: credentialConfigurationId,
  metadata_issuer: issuerMetadata.credentialIssuer.credential_issuer,
  private_jwk: privateKey.export({ format: 'jwk' }),
  token_type: accessTokenResponse.token_type,
  dpop_public_jwk: input.dpop ? dpopJwk : null,
}))
