/**
 * The API's shapes, taken from the server's contract (types only: nothing of the server is bundled).
 */
export type {
  Automation,
  BatonEvent,
  CreateAutomationBody,
  CreateChannelBody,
  Delivery,
  DeliveryStatus,
  NotificationChannel,
  Deployment,
  Flow,
  FlowRun,
  FlowRunPage,
  InputRequest,
  Log,
  LogLevel,
  Me,
  Message,
  Receiver,
  RunInput,
  State,
  StateType,
  TaskRun,
} from "../../../src/contract/index.ts";
