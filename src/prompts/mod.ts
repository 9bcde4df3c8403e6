/** Every prompt the server offers. */
export { securityReviewPrompt } from "./security_review.ts";
export { performanceReviewPrompt } from "./performance_review.ts";
export { reviewChangesPrompt } from "./review_changes.ts";
