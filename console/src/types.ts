// The proto3 JSON mapping of the nimbus.v1 messages the console reads (lowerCamelCase names; int64 as strings;
// enums as their names; Timestamps RFC 3339; Durations "1.5s"). Fields the server leaves at their default are
// absent, so everything is optional.

export type ClassificationType = 'CLASSIFICATION_TYPE_UNSPECIFIED' | 'MULTICLASS' | 'MULTILABEL';
export type MlUse = 'ML_USE_UNSPECIFIED' | 'TRAIN' | 'VALIDATION' | 'TEST' | 'UNASSIGNED';
export type Int64 = string | number;

export interface Dataset {
  name?: string;
  displayName?: string;
  description?: string;
  classificationType?: ClassificationType;
  createTime?: string;
  updateTime?: string;
  exampleCount?: Int64;
  labelCount?: number;
  state?: 'STATE_UNSPECIFIED' | 'ACTIVE' | 'DELETING';
  etag?: string;
}

export interface SplitCounts {
  train?: Int64;
  validation?: Int64;
  test?: Int64;
  unassigned?: Int64;
}

export interface AnnotationSpec {
  name?: string;
  displayName?: string;
  exampleCount?: Int64;
  splitCounts?: SplitCounts;
}

export interface Example {
  name?: string;
  contentSha256?: string;
  labels?: string[];
  mlUse?: MlUse;
  mlUseSource?: string;
  mimeType?: string;
  width?: number;
  height?: number;
  sizeBytes?: Int64;
  sourceUri?: string;
  createTime?: string;
}

export interface DatasetWarning {
  kind?: string;
  label?: string;
  message?: string;
}

export interface DatasetStats {
  dataset?: string;
  exampleCount?: Int64;
  splitCounts?: SplitCounts;
  labels?: AnnotationSpec[];
  warnings?: DatasetWarning[];
}

export interface TrainingParams {
  trainBudgetSeconds?: Int64;
  maxEpochs?: number;
  fineTune?: boolean;
  learningRate?: number;
  batchSize?: number;
  cutLayer?: string;
  initialModel?: string;
}

export interface OperatingPoint {
  name?: string;
  scoreThreshold?: number;
  precision?: number;
  recall?: number;
  f1Score?: number;
}

export interface EpochMetrics {
  epoch?: number;
  trainLoss?: number | string;
  validationLoss?: number | string;
  validationAccuracy?: number | string;
  elapsed?: string;
}

export interface LabelCount {
  label?: string;
  train?: Int64;
  validation?: Int64;
  test?: Int64;
}

export interface TrainingSummary {
  curve?: EpochMetrics[];
  labelCounts?: LabelCount[];
  trainingDuration?: string;
  trainImagesPerSecond?: number;
  embeddingImagesPerSecond?: number;
  embeddingsReused?: Int64;
  featureDim?: number;
  validationExampleCount?: Int64;
  testExampleCount?: Int64;
  servingImagesPerSecond?: number;
}

export type DeploymentState =
  | 'DEPLOYMENT_STATE_UNSPECIFIED' | 'UNDEPLOYED' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'DEPLOYMENT_FAILED';

export interface Model {
  name?: string;
  displayName?: string;
  dataset?: string;
  baseModel?: string;
  trainingParams?: TrainingParams;
  classificationType?: ClassificationType;
  labels?: string[];
  trainingState?: 'TRAINING_STATE_UNSPECIFIED' | 'TRAINING' | 'TRAINED' | 'TRAINING_FAILED';
  deploymentState?: DeploymentState;
  deploymentError?: RpcStatus;
  stopReason?: string;
  operatingPoints?: OperatingPoint[];
  datasetContentHash?: string;
  trainExampleCount?: Int64;
  deploymentConfig?: { device?: string; resultCacheEnabled?: boolean };
  createTime?: string;
  updateTime?: string;
  warnings?: string[];
  trainingSummary?: TrainingSummary;
  inputSize?: number;
  inputChannels?: number;
}

/** A float may be "NaN", "Infinity" or "-Infinity" in proto3 JSON. */
export type JsonFloat = number | string;

export interface ConfidenceMetricsEntry {
  confidenceThreshold?: JsonFloat;
  precision?: JsonFloat;
  recall?: JsonFloat;
  f1Score?: JsonFloat;
  falsePositiveRate?: JsonFloat;
  precisionAt1?: JsonFloat;
  recallAt1?: JsonFloat;
  f1ScoreAt1?: JsonFloat;
  falsePositiveRateAt1?: JsonFloat;
  truePositiveCount?: Int64;
  falsePositiveCount?: Int64;
  falseNegativeCount?: Int64;
  trueNegativeCount?: Int64;
}

export interface MisclassifiedExample {
  example?: string;
  trueLabels?: string[];
  predictedLabels?: string[];
  topScore?: JsonFloat;
}

export interface ClassificationEvaluationMetrics {
  auPrc?: JsonFloat;
  auRoc?: JsonFloat;
  logLoss?: JsonFloat;
  accuracy?: JsonFloat;
  confidenceMetrics?: ConfidenceMetricsEntry[];
  confusionMatrix?: { labels?: string[]; rows?: { exampleCount?: Int64[] }[] };
  mostConfusedPairs?: { trueLabel?: string; predictedLabel?: string; count?: Int64 }[];
  misclassifiedExamples?: string[];
  misclassified?: MisclassifiedExample[];
}

export interface ModelEvaluation {
  name?: string;
  label?: string;
  createTime?: string;
  evaluatedExampleCount?: Int64;
  classificationEvaluationMetrics?: ClassificationEvaluationMetrics;
}

export interface RpcStatus {
  code?: number;
  message?: string;
  details?: AnyDetail[];
}

export interface AnyDetail {
  '@type'?: string;
  [key: string]: unknown;
}

export interface ImportDataDetails {
  totalRowCount?: Int64;
  processedRowCount?: Int64;
  importedCount?: Int64;
  duplicateCount?: Int64;
  failedCount?: Int64;
  labelsAddedCount?: Int64;
  imagesPerSecond?: number;
}

export interface CreateModelDetails {
  stage?: string;
  epoch?: number;
  maxEpochs?: number;
  step?: Int64;
  trainLoss?: JsonFloat;
  validationLoss?: JsonFloat;
  validationAccuracy?: JsonFloat;
  imagesPerSecond?: number;
  eta?: string;
  model?: string;
  processedImages?: Int64;
  totalImages?: Int64;
  /** Every epoch so far, so a page opened mid-training draws the whole curve. */
  curve?: EpochMetrics[];
}

export interface OperationMetadata {
  '@type'?: string;
  kind?: string;
  state?: 'STATE_UNSPECIFIED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  target?: string;
  progressPercent?: number;
  statusMessage?: string;
  partialFailures?: RpcStatus[];
  partialFailureCount?: Int64;
  createTime?: string;
  updateTime?: string;
  endTime?: string;
  cancelRequested?: boolean;
  resumeCount?: number;
  importDataDetails?: ImportDataDetails;
  createModelDetails?: CreateModelDetails;
  deployModelDetails?: { model?: string; device?: string };
  batchPredictDetails?: { totalCount?: Int64; predictedCount?: Int64; failedCount?: Int64; imagesPerSecond?: number };
  exportModelDetails?: { outputUri?: string };
  exportDataDetails?: { outputUri?: string; exportedCount?: Int64; totalCount?: Int64 };
  deleteDetails?: { deletedCount?: Int64; totalCount?: Int64 };
}

export interface Operation {
  name?: string;
  metadata?: OperationMetadata;
  done?: boolean;
  error?: RpcStatus;
  response?: AnyDetail;
}

export interface LabelScore {
  label?: string;
  score?: JsonFloat;
}

export interface PredictTimings {
  decode?: string;
  queue?: string;
  engine?: string;
  total?: string;
  batchSize?: number;
}

export interface PredictResponse {
  predictions?: { labels?: LabelScore[] }[];
  timings?: PredictTimings;
}
