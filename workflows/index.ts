export { silverNoticeWorkflow } from './notice';
export { retentionWorkflow } from './retention';
