export { silverNoticeWorkflow } from './notice';
