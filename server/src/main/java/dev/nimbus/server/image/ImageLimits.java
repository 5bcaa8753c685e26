package dev.nimbus.server.image;
public record ImageLimits(long maxBytes, long maxPixels, int maxSide) {}
