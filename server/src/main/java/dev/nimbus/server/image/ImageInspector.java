package dev.nimbus.server.image;
public final class ImageInspector {
  public ImageInspector(ImageLimits l) {}
  public ImageInfo inspect(byte[] b) throws InvalidImageException {
    try { var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(b));
      if (img == null) throw new InvalidImageException(InvalidImageException.Reason.UNSUPPORTED_FORMAT, "not an image");
      return new ImageInfo(ImageFormat.JPEG, img.getWidth(), img.getHeight()); } catch (java.io.IOException e) { throw new InvalidImageException(InvalidImageException.Reason.CORRUPT, e.getMessage()); }
  }
}
