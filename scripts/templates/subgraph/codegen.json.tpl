{
  "contextType": "../context.ts#{{Pascal}}Context",
  "mappers": {
    "Municipality": "../context.ts#MunicipalityRef"
  }
}
