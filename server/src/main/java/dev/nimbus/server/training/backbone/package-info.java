/**
 * Pretrained image feature extractors ({@link dev.nimbus.server.training.backbone.Backbone}) that add themselves to a
 * caller's TF graph: from TF.js layers models ({@code tfjs:}) and from TF-Hub-style SavedModels
 * ({@code saved_model:}); see {@link dev.nimbus.server.training.backbone.Backbones}.
 */
package dev.nimbus.server.training.backbone;
