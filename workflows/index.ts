export { silverNoticeWorkflow } from './notice';
export { emptyNoticeWorkflow, baselineLifecycleWorkflow } from './baseline';
