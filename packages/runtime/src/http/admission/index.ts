export {
  AdmissionControl,
  type AdmissionLimits,
  type AdmissionTicket,
} from "./admission-control.ts";
export { admitRequest, countBodyBytes, OVERLOADED_RETRY_AFTER_SECONDS } from "./admit-request.ts";
