package dev.meridian.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.meridian.common.models.GenerationSpec;
import dev.meridian.testing.TinyDecoder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The KV-cached batch against recomputing each whole sequence at every step, on random weights. */
class DecodeBatchTest {

    static final Offset<Float> CLOSE = Offset.offset(2e-4f);
    final TinyDecoder decoder = TinyDecoder.builder().build();
    final GenerationSpec spec = TinyModels.spec(decoder, List.of(TinyDecoder.EOS));

    /** The last position's logits of {@code ids} run whole, with no cache. */
    float[] uncached(OrtSession session, List<Long> ids) throws Exception {
        long[] seq = ids.stream().mapToLong(Long::longValue).toArray();
        long[] pos = new long[seq.length];
        long[] mask = new long[seq.length];
        for (int i = 0; i < seq.length; i++) {
            pos[i] = i;
            mask[i] = 1;
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        feed.put("input_ids", OnnxTensor.createTensor(TinyModels.ENV, LongBuffer.wrap(seq), new long[] {1, seq.length}));
        feed.put("attention_mask", OnnxTensor.createTensor(TinyModels.ENV, LongBuffer.wrap(mask),
                new long[] {1, seq.length}));
        feed.put("position_ids", OnnxTensor.createTensor(TinyModels.ENV, LongBuffer.wrap(pos),
                new long[] {1, seq.length}));
        for (int l = 0; l < decoder.layers(); l++) {
            for (String kv : List.of("key", "value")) {
                feed.put("past_key_values." + l + "." + kv, OnnxTensor.createTensor(TinyModels.ENV,
                        FloatBuffer.allocate(0), new long[] {1, decoder.heads(), 0, decoder.headDim()}));
            }
        }
        try (var result = session.run(feed)) {
            FloatBuffer all = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
            int vocab = decoder.vocabularySize();
            float[] last = new float[vocab];
            all.position((seq.length - 1) * vocab);
            all.get(last);
            return last;
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void cachedStepsGiveTheTokensAndLogitsOfRecomputingTheWholeSequence() throws Exception {
        try (OrtSession session = TinyModels.session(decoder); var batch = new DecodeBatch(TinyModels.ENV, session,
                spec)) {
            List<Long> ids = new ArrayList<>(List.of(1L, 7L, 8L, 9L));
            var prefill = batch.prefill(ids.stream().mapToLong(Long::longValue).toArray());
            assertThat(prefill.logits()).containsExactly(uncached(session, ids), CLOSE);
            batch.regroup(List.of(), List.of(prefill.row()));
            long next = Sampler.argmax(prefill.logits(), 0, prefill.logits().length);
            for (int step = 0; step < 20; step++) {
                ids.add(next);
                prefill.row().next = next;
                float[] cached = batch.step();
                float[] expected = uncached(session, ids);
                assertThat(cached).as("logits at step %d", step).containsExactly(expected, CLOSE);
                next = Sampler.argmax(cached, 0, cached.length);
                assertThat(next).as("token at step %d", step).isEqualTo(Sampler.argmax(expected, 0, expected.length));
            }
            assertThat(batch.width()).isEqualTo(ids.size());
        }
    }

    @Test
    void rowsThatJoinAndLeaveKeepTheirOwnLogitsUnderLeftPadding() throws Exception {
        try (OrtSession session = TinyModels.session(decoder); var batch = new DecodeBatch(TinyModels.ENV, session,
                spec)) {
            List<List<Long>> seqs = new ArrayList<>();
            List<DecodeBatch.Row> rows = new ArrayList<>();
            int vocab = decoder.vocabularySize();
            for (int step = 0; step < 24; step++) {
                if (step == 0 || step == 5 || step == 9) {
                    // a new prompt of another length joins the running batch
                    List<Long> prompt = new ArrayList<>(List.of(1L, 7L + step, 12L, 30L, 9L).subList(0, 2 + step % 4));
                    var p = batch.prefill(prompt.stream().mapToLong(Long::longValue).toArray());
                    p.row().next = Sampler.argmax(p.logits(), 0, vocab);
                    seqs.add(prompt);
                    List<DecodeBatch.Row> keep = new ArrayList<>(batch.rows());
                    batch.regroup(keep, List.of(p.row()));
                    rows.add(p.row());
                }
                if (step == 14) {
                    // the first row leaves: the others are repacked, padding columns dropped
                    batch.regroup(batch.rows().subList(1, batch.size()), List.of());
                    seqs.remove(0);
                    rows.remove(0);
                }
                for (int i = 0; i < rows.size(); i++) {
                    seqs.get(i).add(rows.get(i).next);
                }
                float[] logits = batch.step();
                for (int i = 0; i < rows.size(); i++) {
                    float[] row = Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
                    assertThat(row).as("row %d at step %d", i, step)
                            .containsExactly(uncached(session, seqs.get(i)), CLOSE);
                    rows.get(i).next = Sampler.argmax(row, 0, vocab);
                }
            }
            assertThat(batch.width()).as("no column is padding in every row")
                    .isEqualTo(rows.stream().mapToInt(DecodeBatch.Row::length).max().orElseThrow());
        }
    }

    @Test
    void promptsPrefilledTogetherAndADeadRowLeaveEachRowItsOwnLogits() throws Exception {
        try (OrtSession session = TinyModels.session(decoder); var batch = new DecodeBatch(TinyModels.ENV, session,
                spec)) {
            int vocab = decoder.vocabularySize();
            List<List<Long>> seqs = new ArrayList<>(List.of(new ArrayList<>(List.of(1L, 7L, 8L)),
                    new ArrayList<>(List.of(1L, 20L, 21L, 22L, 23L, 24L, 25L)), new ArrayList<>(List.of(1L, 30L))));
            var prefills = batch.prefill(seqs.stream().map(s -> s.stream().mapToLong(Long::longValue).toArray())
                    .toList());
            List<DecodeBatch.Row> rows = new ArrayList<>();
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(prefills.get(i).logits()).as("prompt %d, left-padded", i)
                        .containsExactly(uncached(session, seqs.get(i)), CLOSE);
                rows.add(prefills.get(i).row());
                rows.get(i).next = Sampler.argmax(prefills.get(i).logits(), 0, vocab);
            }
            batch.regroup(List.of(), rows);
            for (int step = 0; step < 12; step++) {
                if (step == 3) {
                    // the longest row ends mid-batch: it stays, masked, and nothing is copied
                    rows.get(1).dead = true;
                }
                if (step == 8) {
                    batch.regroup(List.of(rows.get(0), rows.get(2)), List.of());
                    assertThat(batch.size()).as("the dead row is dropped").isEqualTo(2);
                    assertThat(batch.width()).as("and the columns only it needed")
                            .isEqualTo(Math.max(rows.get(0).length(), rows.get(2).length()));
                }
                for (int i = 0; i < rows.size(); i++) {
                    if (!rows.get(i).dead) {
                        seqs.get(i).add(rows.get(i).next);
                    }
                }
                float[] logits = batch.step();
                for (int b = 0; b < batch.size(); b++) {
                    DecodeBatch.Row row = batch.rows().get(b);
                    if (row.dead) {
                        continue;
                    }
                    int i = rows.indexOf(row);
                    float[] mine = Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab);
                    assertThat(mine).as("row %d at step %d", i, step)
                            .containsExactly(uncached(session, seqs.get(i)), CLOSE);
                    row.next = Sampler.argmax(mine, 0, vocab);
                }
            }
        }
    }
}
