package io.pillarbox.imap;

/** Real-world shaped test messages (CRLF line ends). */
final class Messages {

    private Messages() {
    }

    static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    static final String SIMPLE = crlf("""
            Date: Tue, 5 Mar 2024 14:05:00 +0100
            From: Alice Example <alice@example.org>
            To: bob@example.org
            Subject: Lunch tomorrow
            Message-ID: <lunch-1@example.org>
            
            Shall we meet at noon?
            Alice
            """);

    static final String REPLY = crlf("""
            Date: Tue, 5 Mar 2024 15:00:00 +0100
            From: Bob <bob@example.org>
            To: Alice Example <alice@example.org>
            Subject: Re: Lunch tomorrow
            Message-ID: <lunch-2@example.org>
            In-Reply-To: <lunch-1@example.org>
            References: <lunch-1@example.org>
            
            Yes, noon is fine.
            """);

    /** multipart/mixed: multipart/alternative (text + html) and a base64 PDF attachment. */
    static final String ALTERNATIVE = crlf("""
            Date: Wed, 6 Mar 2024 09:30:00 +0000
            From: "Carol Q. Sender" <carol@example.com>
            To: alice@example.org, "Dave" <dave@example.net>
            Cc: team: eve@example.org, frank@example.org;
            Subject: =?UTF-8?Q?Quarterly_r=C3=A9sum=C3=A9?=
            Message-ID: <q1@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"
            
            This is a multi-part message in MIME format.
            --outer
            Content-Type: multipart/alternative; boundary="inner"
            
            --inner
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: quoted-printable
            
            Caf=C3=A9 numbers are up.
            --inner
            Content-Type: text/html; charset=UTF-8
            
            <p>Caf&eacute; numbers are up.</p>
            --inner--
            
            --outer
            Content-Type: application/pdf; name="report.pdf"
            Content-Disposition: attachment; filename="report.pdf"
            Content-Transfer-Encoding: base64
            Content-Description: The report
            
            JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==
            --outer--
            """);

    /** A forward with the original as message/rfc822. */
    static final String FORWARD = crlf("""
            Date: Thu, 7 Mar 2024 10:00:00 +0000
            From: frank@example.org
            To: alice@example.org
            Subject: Fwd: Lunch tomorrow
            Message-ID: <fwd-1@example.org>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"
            
            --b1
            Content-Type: text/plain
            
            See below.
            --b1
            Content-Type: message/rfc822
            
            Date: Tue, 5 Mar 2024 14:05:00 +0100
            From: Alice Example <alice@example.org>
            To: bob@example.org
            Subject: Lunch tomorrow
            Message-ID: <lunch-1@example.org>
            
            Shall we meet at noon?
            --b1--
            """);
}
