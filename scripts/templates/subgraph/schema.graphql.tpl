extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

"Cache hint: how long (seconds) a field's value may be cached. The gateway sends the smallest maxAge of a response as Cache-Control."
directive @cacheControl(
  maxAge: Int
  scope: CacheControlScope
  inheritMaxAge: Boolean
) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

enum CacheControlScope {
  PUBLIC
  PRIVATE
}

"""
A Swedish municipality; {{agency}} adds its data. Keyed by the 4-digit SCB code with its leading zero
("0180" Stockholm), like in every subgraph.
"""
type Municipality @key(fields: "code") {
  "4-digit SCB municipality code (kommunkod) with its leading zero, e.g. \"0180\"."
  code: String!
  """
  EXAMPLE FIELD made by `npm run new-subgraph`: replace it with your own. A short text about the
  municipality from {{agency}}'s API ({{ENV}}_API_URL + /municipalities/{code}); null when the API has
  none. Källa: {{agency}} (state the licence here).
  """
  {{ident}}Summary: String @cacheControl(maxAge: 3600)
}
