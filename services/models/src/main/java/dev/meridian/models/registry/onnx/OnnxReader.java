package dev.meridian.models.registry.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the few fields of an ONNX {@code ModelProto} the registry checks, straight from the protobuf wire format:
 * it streams the file and skips what it does not need (initializer data above all), so a large model costs no more
 * memory than a small one. Field numbers are those of {@code onnx/onnx.proto}.
 */
public final class OnnxReader {

    /** Raised when the bytes are not a protobuf {@code ModelProto} with a graph. */
    public static final class NotOnnx extends Exception {
        public NotOnnx(String message) {
            super(message);
        }
    }

    private static final int MAX_GRAPH_DEPTH = 32;

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto / AttributeProto
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTR_TENSOR = 5;
    private static final int ATTR_GRAPH = 6;
    private static final int ATTR_TENSORS = 10;
    private static final int ATTR_GRAPHS = 11;
    // ValueInfoProto / TypeProto / TypeProto.Tensor / TensorShapeProto / Dimension
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    // TensorProto
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    private OnnxReader() {
    }

    public static OnnxModelInfo read(InputStream bytes) throws IOException, NotOnnx {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setSizeLimit(Integer.MAX_VALUE);
        long irVersion = 0;
        String producer = null;
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        try {
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case MODEL_IR_VERSION -> irVersion = in.readInt64();
                    case MODEL_PRODUCER_NAME -> producer = in.readString();
                    case MODEL_OPSET_IMPORT -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        String domain = "";
                        long version = 0;
                        int t;
                        while ((t = in.readTag()) != 0) {
                            switch (WireFormat.getTagFieldNumber(t)) {
                                case OPSET_DOMAIN -> domain = in.readString();
                                case OPSET_VERSION -> version = in.readInt64();
                                default -> in.skipField(t);
                            }
                        }
                        in.popLimit(limit);
                        opsets.put(domain, version);
                    }
                    case MODEL_GRAPH -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        graph = readGraph(in, 0);
                        in.popLimit(limit);
                    }
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new NotOnnx("the file is not a valid protobuf message (" + e.getMessage() + ")");
        }
        if (irVersion <= 0 || graph == null) {
            throw new NotOnnx("the file has no " + (irVersion <= 0 ? "ir_version" : "graph")
                    + ", so it is not an ONNX ModelProto");
        }
        Set<String> initialized = new HashSet<>(graph.initializers);
        List<TensorSpec> inputs = graph.inputs.stream().filter(i -> !initialized.contains(i.name())).toList();
        return new OnnxModelInfo(irVersion, producer, opsets, inputs, graph.outputs, graph.external);
    }

    private static final class Graph {
        final List<TensorSpec> inputs = new ArrayList<>();
        final List<TensorSpec> outputs = new ArrayList<>();
        final List<String> initializers = new ArrayList<>();
        final List<String> external = new ArrayList<>();
    }

    private static Graph readGraph(CodedInputStream in, int depth) throws IOException, NotOnnx {
        if (depth > MAX_GRAPH_DEPTH) {
            throw new NotOnnx("subgraphs nest deeper than " + MAX_GRAPH_DEPTH + " levels");
        }
        Graph g = new Graph();
        int tag;
        while ((tag = in.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == GRAPH_INPUT || field == GRAPH_OUTPUT) {
                int limit = in.pushLimit(in.readRawVarint32());
                (field == GRAPH_INPUT ? g.inputs : g.outputs).add(readValueInfo(in));
                in.popLimit(limit);
            } else if (field == GRAPH_INITIALIZER) {
                int limit = in.pushLimit(in.readRawVarint32());
                String name = readTensor(in, g.external);
                in.popLimit(limit);
                g.initializers.add(name);
            } else if (field == GRAPH_NODE) {
                int limit = in.pushLimit(in.readRawVarint32());
                readNode(in, g.external, depth);
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return g;
    }

    /** Looks into a node's attributes only for tensors and subgraphs, where external data can hide. */
    private static void readNode(CodedInputStream in, List<String> external, int depth) throws IOException, NotOnnx {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) != NODE_ATTRIBUTE) {
                in.skipField(tag);
                continue;
            }
            int attrLimit = in.pushLimit(in.readRawVarint32());
            int t;
            while ((t = in.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(t);
                if (field == ATTR_TENSOR || field == ATTR_TENSORS) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    readTensor(in, external);
                    in.popLimit(limit);
                } else if (field == ATTR_GRAPH || field == ATTR_GRAPHS) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    external.addAll(readGraph(in, depth + 1).external);
                    in.popLimit(limit);
                } else {
                    in.skipField(t);
                }
            }
            in.popLimit(attrLimit);
        }
    }

    /** Reads a TensorProto's name, noting it in {@code external} when its data lives outside the file. */
    private static String readTensor(CodedInputStream in, List<String> external) throws IOException {
        String name = "";
        boolean outside = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case TENSOR_NAME -> name = in.readString();
                case TENSOR_DATA_LOCATION -> outside |= in.readEnum() == DATA_LOCATION_EXTERNAL;
                case TENSOR_EXTERNAL_DATA -> {
                    outside = true;
                    in.skipField(tag);
                }
                default -> in.skipField(tag);
            }
        }
        if (outside) {
            external.add(name);
        }
        return name;
    }

    private static TensorSpec readValueInfo(CodedInputStream in) throws IOException {
        String name = "";
        int elemType = 0;
        List<Long> shape = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case VALUE_NAME -> name = in.readString();
                case VALUE_TYPE -> {
                    int typeLimit = in.pushLimit(in.readRawVarint32());
                    int t;
                    while ((t = in.readTag()) != 0) {
                        if (WireFormat.getTagFieldNumber(t) != TYPE_TENSOR) {
                            in.skipField(t); // sequences, maps, optionals: elemType stays 0 (not servable)
                            continue;
                        }
                        int tensorLimit = in.pushLimit(in.readRawVarint32());
                        int u;
                        while ((u = in.readTag()) != 0) {
                            switch (WireFormat.getTagFieldNumber(u)) {
                                case TENSOR_TYPE_ELEM -> elemType = in.readInt32();
                                case TENSOR_TYPE_SHAPE -> {
                                    int shapeLimit = in.pushLimit(in.readRawVarint32());
                                    shape = readShape(in);
                                    in.popLimit(shapeLimit);
                                }
                                default -> in.skipField(u);
                            }
                        }
                        in.popLimit(tensorLimit);
                    }
                    in.popLimit(typeLimit);
                }
                default -> in.skipField(tag);
            }
        }
        return new TensorSpec(name, elemType, shape);
    }

    private static List<Long> readShape(CodedInputStream in) throws IOException {
        List<Long> dims = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) != SHAPE_DIM) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            long value = -1;
            int t;
            while ((t = in.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(t) == DIM_VALUE) {
                    value = in.readInt64();
                } else {
                    in.skipField(t); // dim_param: a symbolic, dynamic dimension
                }
            }
            in.popLimit(limit);
            dims.add(value);
        }
        return dims;
    }
}
