export { silverNoticeWorkflow } from './notice';
export { retentionWorkflow } from './retention';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { webhookSenderWorkflow } from './webhook-sender';
