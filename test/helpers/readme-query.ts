/**
 * The README's first query on one line, as its curl example sends it: Stockholm, its county and a
 * 3-hour forecast. The tests and benchmarks that speak of "the README query" send this one;
 * test/readme-queries.test.ts checks that the README's curl example still sends the same.
 */
export const README_QUERY =
  '{ municipality(code: "0180") { name county { name } forecast(hours: 3) { validAt airTemperature windSpeed } } }';
