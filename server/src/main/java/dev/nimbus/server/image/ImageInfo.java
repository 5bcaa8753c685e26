package dev.nimbus.server.image;
public record ImageInfo(ImageFormat format, int width, int height) {}
