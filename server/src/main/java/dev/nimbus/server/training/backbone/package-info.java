/**
 * Pretrained image feature extractors ({@link dev.nimbus.server.training.backbone.Backbone}, a
 * {@link dev.nimbus.server.training.backbone.FeatureExtractor}) that add themselves to a caller's TF graph: from
 * TF.js layers models ({@code tfjs:}) and from TF-Hub-style SavedModels ({@code saved_model:}); see
 * {@link dev.nimbus.server.training.backbone.Backbones}. Uses the importers {@code tfjs} and {@code savedmodel} and
 * the engine's runtime.
 */
package dev.nimbus.server.training.backbone;
