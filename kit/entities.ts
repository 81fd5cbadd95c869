/** The shared entities' keys, as subgraphs receive them in references (the join model: README, "Architecture"). */

/** `Place @key(fields: "latitude longitude")`: a WGS84 point. */
export interface PlaceRef {
  latitude: number;
  longitude: number;
}

/** `Municipality @key(fields: "code")`: the 4-digit SCB code, e.g. "0180". */
export interface MunicipalityRef {
  code: string;
}

/** `County @key(fields: "code")`: the 2-digit län code, e.g. "01". */
export interface CountyRef {
  code: string;
}
