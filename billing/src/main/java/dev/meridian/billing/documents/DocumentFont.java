package dev.meridian.billing.documents;

import com.lowagie.text.pdf.BaseFont;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The font billing's PDFs embed: a TrueType font with Latin and Simplified Chinese glyphs
 * ({@code meridian.billing.documents.pdf-font}, by default Noto Sans SC, which billing's build takes from the npm
 * package {@code @expo-google-fonts/noto-sans-sc} onto the classpath; SIL Open Font License). OpenPDF's built-in
 * Helvetica has no Chinese glyphs, and OpenPDF cannot embed CFF-flavoured OpenType, so it is a TTF. Embedded as a
 * subset (Identity-H): a PDF carries only the glyphs it uses, and its text stays extractable.
 */
public final class DocumentFont {

    public static final String DEFAULT = "fonts/NotoSansSC_400Regular.ttf";

    private DocumentFont() {
    }

    /** The font, loaded once (about 10 MB to parse, so on first use rather than at every document). */
    public static BaseFont get() {
        return Holder.FONT;
    }

    private static final class Holder {
        static final BaseFont FONT = load(ConfigProvider.getConfig()
                .getOptionalValue("meridian.billing.documents.pdf-font", String.class).orElse(DEFAULT));
    }

    static BaseFont load(String where) {
        byte[] ttf;
        try (InputStream in = DocumentFont.class.getClassLoader().getResourceAsStream(where)) {
            if (in != null) {
                ttf = in.readAllBytes();
            } else if (Files.isRegularFile(Path.of(where))) {
                ttf = Files.readAllBytes(Path.of(where));
            } else {
                throw new IllegalStateException("the PDF font " + where + " (meridian.billing.documents.pdf-font) is"
                        + " neither on the classpath nor a file; billing's build puts " + DEFAULT + " on the classpath"
                        + " from npm (billing/fonts), so build billing with npm available or point the setting at a"
                        + " TrueType font with Chinese glyphs");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the PDF font " + where, e);
        }
        try {
            String name = where.substring(where.lastIndexOf('/') + 1);
            return BaseFont.createFont(name, BaseFont.IDENTITY_H, BaseFont.EMBEDDED, true, ttf, null);
        } catch (Exception e) {
            throw new IllegalStateException("the PDF font " + where + " is not a TrueType font OpenPDF can embed: "
                    + e.getMessage(), e);
        }
    }
}
