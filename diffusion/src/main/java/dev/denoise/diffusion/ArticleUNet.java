package dev.denoise.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The source article's model. The article corrupts each image as x' = x(1−a) + n·a (see {@link
 * Corruption}), trains a small U-Net to predict x from x', and samples by x = x(1−m) + f(x)·m
 * (see {@link ArticleSampler}).
 *
 * <p>Its U-Net, for 28x28 single-channel images (309,057 parameters):
 * 5x5 convolutions with padding 2; down 1→32→64→64 with SiLU and a 2x2 max-pool after the first
 * two; up 64→64→32→1, each preceded (except the first) by a nearest 2x upsample plus the matching
 * down activation added as skip; SiLU after every layer, the last one included, as in the article.
 */
public final class ArticleUNet implements DenoiserArchitecture {

    public static final String NAME = "article-unet";
    /** The step count a request gets when it names none. */
    private static final int DEFAULT_STEPS = 40;
    /** Its family: the network, its sampler and the defaults of a request (it takes no label, so no guidance). */
    public static final ModelFamily FAMILY = new ModelFamily(NAME, ArticleUNet::new, hyperParameters -> new ArticleUNet(),
            List.of(new ArticleSampler()), DEFAULT_STEPS, 0f);

    private final Layout layout;

    /** The training and serving layout: channels-last (see {@link Layout}). */
    public ArticleUNet() {
        this(Layout.CHANNELS_LAST);
    }

    /** Layout does not change the parameters, so it is not a hyper-parameter. */
    ArticleUNet(Layout layout) {
        this.layout = layout;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> hyperParameters() {
        return SortedMaps.of(Map.of(
                "image", "1x28x28",
                "kernel", "5",
                "down", "32,64,64",
                "up", "64,32,1",
                "activation", "silu",
                "skip", "add"));
    }

    @Override
    public Shape imageShape() {
        return new Shape(1, 28, 28);
    }

    @Override
    public Block build() {
        return new UNetBlock(layout);
    }

    /** The network itself; child order fixes the parameter order in saved weights. */
    private static final class UNetBlock extends AbstractBlock {

        private final List<LayoutConv2d> down;
        private final List<LayoutConv2d> up;

        UNetBlock(Layout layout) {
            down = List.of(
                    addChildBlock("down0", new LayoutConv2d(1, 32, 5, layout)),
                    addChildBlock("down1", new LayoutConv2d(32, 64, 5, layout)),
                    addChildBlock("down2", new LayoutConv2d(64, 64, 5, layout)));
            up = List.of(
                    addChildBlock("up0", new LayoutConv2d(64, 64, 5, layout)),
                    addChildBlock("up1", new LayoutConv2d(64, 32, 5, layout)),
                    addChildBlock("up2", new LayoutConv2d(32, 1, 5, layout)));
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Deque<NDArray> skips = new ArrayDeque<>();
            for (int i = 0; i < down.size(); i++) {
                x = silu(conv(down.get(i), store, x, training));
                if (i < 2) {
                    skips.push(x);
                    x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
                }
            }
            for (int i = 0; i < up.size(); i++) {
                if (i > 0) {
                    x = upsample2x(x).add(skips.pop());
                }
                x = silu(conv(up.get(i), store, x, training));
            }
            return new NDList(x);
        }

        private static NDArray conv(LayoutConv2d layer, ParameterStore store, NDArray x,
                                    boolean training) {
            return layer.forward(store, new NDList(x), training).singletonOrThrow();
        }

        /** x·sigmoid(x): measured a few percent faster here than DJL's swish. */
        private static NDArray silu(NDArray x) {
            return x.mul(x.getNDArrayInternal().sigmoid());
        }

        /** Nearest-neighbour 2x upsampling (Conv2dTranspose is not implemented on PyTorch). */
        private static NDArray upsample2x(NDArray x) {
            return x.repeat(2, 2).repeat(3, 2);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType,
                                             Shape... inputShapes) {
            Shape in = inputShapes[0];
            long n = in.get(0);
            long h = in.get(2);
            long w = in.get(3);
            // Each convolution keeps the spatial size; only the channel count matters here.
            long[][] downIn = {{1, h, w}, {32, h / 2, w / 2}, {64, h / 4, w / 4}};
            long[][] upIn = {{64, h / 4, w / 4}, {64, h / 2, w / 2}, {32, h, w}};
            for (int i = 0; i < 3; i++) {
                down.get(i).initialize(manager, dataType,
                        new Shape(n, downIn[i][0], downIn[i][1], downIn[i][2]));
                up.get(i).initialize(manager, dataType,
                        new Shape(n, upIn[i][0], upIn[i][1], upIn[i][2]));
            }
        }
    }
}
