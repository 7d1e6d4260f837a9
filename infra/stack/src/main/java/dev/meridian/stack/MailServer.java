package dev.meridian.stack;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The stack's mail server: GreenMail (from Maven Central) in this JVM, with SMTP for Keycloak's mails (e-mail
 * verification) and IMAP to read them. It accepts mail for any address and keeps it in memory; every recipient is a
 * mailbox whose IMAP user name and password are the address itself. Nothing leaves the machine.
 */
public final class MailServer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final GreenMail greenMail;
    private final int smtpPort;
    private final int imapPort;

    private MailServer(GreenMail greenMail, int smtpPort, int imapPort) {
        this.greenMail = greenMail;
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
    }

    public static MailServer start(int smtpPort, int imapPort) {
        var greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(smtpPort, HOST, ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(imapPort, HOST, ServerSetup.PROTOCOL_IMAP)});
        // no accounts to set up: a mail to any address creates its mailbox, and IMAP logs in as that address
        greenMail.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();
        return new MailServer(greenMail, smtpPort, imapPort);
    }

    public String host() {
        return HOST;
    }

    public int smtpPort() {
        return smtpPort;
    }

    public int imapPort() {
        return imapPort;
    }

    /** Reads the mails this server received. */
    public Mailbox mailbox() {
        return new Mailbox(HOST, imapPort);
    }

    /** Where a person reads the mails, for a start-up banner. */
    public String describe() {
        return "SMTP " + HOST + ":" + smtpPort + "; read with IMAP " + HOST + ":" + imapPort
                + " (user name and password: the recipient's address)";
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
