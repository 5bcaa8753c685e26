package dev.nimbus.server.training.savedmodel;

/** One input reference of a NodeDef: "node", "node:2" or "^node" (control). */
record TensorRef(String node, int index, boolean control) {
  static TensorRef parse(String input) {
    if (input.startsWith("^")) {
      return new TensorRef(input.substring(1), -1, true);
    }
    int colon = input.lastIndexOf(':');
    if (colon > 0) {
      try {
        return new TensorRef(input.substring(0, colon), Integer.parseInt(input.substring(colon + 1)), false);
      } catch (NumberFormatException e) {
        // a name with a colon that is not an output index; treat the whole string as the name
      }
    }
    return new TensorRef(input, 0, false);
  }

  @Override
  public String toString() {
    return control ? "^" + node : node + ":" + index;
  }
}
