/**
 * RFC 8414 authorization server metadata, so resource servers (Apache mod_auth_openidc,
 * OAuth libraries) find the JWKS and the introspection endpoint from the issuer alone.
 * Keygate issues tokens only through its own API (no authorization or token endpoint),
 * so `response_types_supported`, which the RFC requires, is honestly empty.
 */
export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    introspection_endpoint: `${base}/oauth/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    response_types_supported: [],
    service_documentation: `${base}/openapi.json`,
  };
}
