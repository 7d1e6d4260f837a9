package dev.meridian.stack;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mails the stack's {@link MailServer} received, read over IMAP (so any JVM, or a mail client, can read them):
 * what a person does when they open the mail Keycloak sent and follow its link.
 */
public final class Mailbox {

    /** Keycloak's links that act on an account (verify e-mail, execute actions). */
    private static final Pattern ACTION_LINK = Pattern.compile("https?://[^\\s\"'<>]+/login-actions/action-token\\?"
            + "[^\\s\"'<>]+");

    private final String host;
    private final int imapPort;

    public Mailbox(String host, int imapPort) {
        this.host = host;
        this.imapPort = imapPort;
    }

    public int imapPort() {
        return imapPort;
    }

    /**
     * Waits for a mail to {@code address} with a Keycloak action link (e.g. "verify your e-mail") and returns the
     * link. Each mail read is removed, so the next call waits for a new one.
     */
    public String awaitActionLink(String address, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<String> link = takeActionLink(address);
            if (link.isPresent()) {
                return link.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no mail with a Keycloak link reached " + address + " within "
                        + timeout + " (mail server IMAP " + host + ":" + imapPort + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The link of the oldest unread mail to {@code address} that has one (that mail is removed), if any. */
    private Optional<String> takeActionLink(String address) {
        Properties props = new Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "5000");
        try (var store = Session.getInstance(props).getStore("imap")) {
            store.connect(host, imapPort, address, address);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            try {
                for (Message message : inbox.getMessages()) {
                    Optional<String> link = actionLink(text(message));
                    message.setFlag(Flags.Flag.DELETED, true);
                    if (link.isPresent()) {
                        return link;
                    }
                }
                return Optional.empty();
            } finally {
                inbox.close(true); // expunge what was read
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot read the mails of " + address + " over IMAP at " + host + ":"
                    + imapPort + ": " + e.getMessage(), e);
        }
    }

    static Optional<String> actionLink(String text) {
        Matcher m = ACTION_LINK.matcher(text);
        return m.find() ? Optional.of(m.group().replace("&amp;", "&")) : Optional.empty();
    }

    /** The plain-text part of a mail (else its HTML), decoded. */
    private static String text(Part part) throws MessagingException, IOException {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof Multipart multipart) {
            String html = "";
            for (int i = 0; i < multipart.getCount(); i++) {
                Part child = multipart.getBodyPart(i);
                if (child.isMimeType("text/plain")) {
                    return (String) child.getContent();
                }
                html = html + text(child);
            }
            return html;
        }
        return part.getContent() instanceof String s ? s : "";
    }
}
