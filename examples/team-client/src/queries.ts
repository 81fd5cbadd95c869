import { graphql } from '../generated';

/** One municipality with its county and representative point (Lantmäteriet's embedded data). */
export const MunicipalityOverview = graphql(`
  query MunicipalityOverview($code: String!) {
    municipality(code: $code) {
      code
      name
      county {
        code
        name
      }
      centroid {
        latitude
        longitude
      }
    }
  }
`);

/** Every county with the number of municipalities in it. */
export const Counties = graphql(`
  query Counties {
    counties {
      code
      name
      municipalities {
        code
      }
    }
  }
`);
