package dev.nimbus.server.image;
public enum ImageFormat { JPEG, PNG, GIF, BMP, WEBP, TIFF; public String mimeType() { return "image/" + name().toLowerCase(); } }
