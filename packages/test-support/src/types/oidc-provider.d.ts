// oidc-provider ships no types; the kit uses it through a narrow, untyped surface (see ../oidc-provider.ts).
declare module "oidc-provider";
