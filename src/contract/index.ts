/** The contract: every shape that crosses a boundary between the SDK, the client, the server and storage. */
export {
  StateType,
  State,
  StateProposal,
  StateDetails,
  InputRequest,
  OnTimeout,
  ErrorInfo,
  RejectedAnswer,
  TERMINAL_STATE_TYPES,
  isTerminal,
  isSuspended,
  defaultStateName,
} from "./states.ts";
export { Flow, FlowRun, FlowRunFilter, FlowRunPage, CreateFlowRunBody, SetStateBody, RunName, Tag, Tags } from "./flow-run.ts";
export { InboxSort, InboxQuery, InboxPage, FlowCount, BulkAction, BulkBody, BulkOutcome, BulkResult } from "./inbox.ts";
export {
  PauseKey,
  PauseBody,
  PauseResult,
  ResumeBody,
  ResumeResult,
  ValidatedBy,
  RunInput,
  InputRefusal,
  FieldErrorShape,
  Channel,
  ClaimableChannel,
  SuspendBody,
  Respondent,
  Answer,
  Comment,
} from "./pause.ts";
export { InputCheck, InputCheckReply } from "./input-check.ts";
export { TaskRun, CreateTaskRunBody, SetTaskRunStateBody, MAX_ROW_RESULT_BYTES } from "./task-run.ts";
export { LogLevel, LogEntry, Log, LogBatch } from "./log.ts";
export {
  MessageKey,
  KeyPrefix,
  DEFAULT_KEY_PREFIX,
  Message,
  SendMessageBody,
  CreateRunInputBody,
  MessageFilter,
  ReceiveBody,
  ReceiveResult,
  ReleaseBody,
  MAX_RECEIVE_BATCH,
  RefuseBody,
  Receiver,
  DeclareReceiverBody,
} from "./message.ts";
export { BatonEvent, EVENT_TYPES } from "./events.ts";
export type { BatonEventType } from "./events.ts";
export { BatchOperation, BatchBody, BatchResult, MAX_BATCH_OPERATIONS } from "./batch.ts";
export {
  Deployment,
  RegisterDeploymentBody,
  CreateDeploymentRunBody,
  ClaimBody,
  ClaimResult,
  RunHistory,
  HeartbeatBody,
  HeartbeatResult,
} from "./deployment.ts";
export { Role, UserName, GroupName, User, Password, CreateUserBody, SetPasswordBody, ApiKey, CreateApiKeyBody, CreatedApiKey, Me } from "./people.ts";
export { AuditEntry, AuditQuery, AuditVerification } from "./audit.ts";
export { hasUnstorableText, identifier } from "./text.ts";
export {
  ChannelName,
  ChannelType,
  CreateChannelBody,
  NotificationChannel,
  AutomationEvent,
  AutomationTrigger,
  AutomationAction,
  CreateAutomationBody,
  Automation,
  Duration,
  DeliveryStatus,
  Delivery,
  DeliveryFilter,
  AnswerLink,
  NotificationMessage,
} from "./notifications.ts";
