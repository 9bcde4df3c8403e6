/** Every resource the server offers. */
export { fileResource } from "./file.ts";
export { reviewRulesResource } from "./review_rules.ts";
