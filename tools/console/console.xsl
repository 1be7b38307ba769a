<?xml version="1.0" encoding="UTF-8"?>
<!--
  tools/console/console.xsl
     The pages of `ebid console` (tools/console.c), XSLT 1.0 run by libxslt.
     Input: <page lang path port><strings/><whoami/><flash/>?CONTENT</page>
     where CONTENT is <home>, <desk kind="tender|sale" id> holding the
     server's view for this party (and <duties>, <fields>, <draft>),
     <confirm> (an amount to confirm, with its 大写) or <problem>.
     Every form works without JavaScript; console.js adds the live check
     of the score sheet, the sale's live price and the countdowns.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:e="urn:ebid:1" xmlns:ebf="urn:ebid:pagefn"
    exclude-result-prefixes="e ebf">
  <xsl:output method="html" encoding="UTF-8" indent="no"
      doctype-system="about:legacy-compat"/>
  <xsl:param name="lang" select="'zh'"/>
  <xsl:key name="s" match="e:strings/e:s" use="@id"/>
  <!-- a refusal's hint in Chinese: <h en="THE ENGLISH HINT" zh=> -->
  <xsl:key name="h" match="e:strings/e:h" use="@en"/>
  <!-- a refusal's message in Chinese: <m id="msg:REASON" zh="... {NAME} ..."> -->
  <xsl:key name="m" match="e:strings/e:m" use="@id"/>
  <!-- who a bidder is: the trading subject it signed up for (its name read
       by console.c into <names>), its organisation (certificate's O) -->
  <xsl:key name="bidder-subject" match="e:sign-up/@subject | e:bid-result/e:signed-up-as/@subject" use="(../@bidder | ../../@bidder)[1]"/>
  <xsl:key name="bidder-org" match="e:sign-up/@org | e:bid-result/e:signed-up-as/@org | e:bid-summary/@org" use="(../@bidder | ../../@bidder)[1]"/>
  <xsl:key name="subject-name" match="e:names/e:subject-name" use="@id"/>
  <xsl:variable name="q"><xsl:if test="$lang = 'en'">?lang=en</xsl:if></xsl:variable>
  <xsl:variable name="me" select="/e:page/e:whoami"/>

  <xsl:template name="t">
    <xsl:param name="id"/>
    <xsl:variable name="s" select="key('s', $id)"/>
    <xsl:choose>
      <xsl:when test="$lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s/@zh"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- an engine token (state, command, field, role, refusal code, bid
       status, cause, severity) as its label from strings.xml ("K:TOKEN");
       the token itself stays in the title attribute; unknown, or a label
       without an English text under ?lang=en: the token -->
  <xsl:template name="tok">
    <xsl:param name="k"/>
    <xsl:param name="v"/>
    <xsl:variable name="s" select="key('s', concat($k, ':', $v))[$lang != 'en' or @en]"/>
    <xsl:choose>
      <xsl:when test="$s"><span class="tok" title="{$v}" data-token="{$v}"><xsl:choose><xsl:when test="$lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when><xsl:otherwise><xsl:value-of select="$s/@zh"/></xsl:otherwise></xsl:choose></span></xsl:when>
      <xsl:otherwise><code data-token="{$v}"><xsl:value-of select="$v"/></code></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- the same as plain text (for option and title text) -->
  <xsl:template name="tok-text">
    <xsl:param name="k"/>
    <xsl:param name="v"/>
    <xsl:variable name="s" select="key('s', concat($k, ':', $v))[$lang != 'en' or @en]"/>
    <xsl:choose>
      <xsl:when test="$s and $lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when>
      <xsl:when test="$s"><xsl:value-of select="$s/@zh"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a refusal's hint (error.xsd <hint>, English): on the Chinese desk
       its translation from strings.xml, looked up by the exact English
       text (<h en= zh=>, like a gettext msgid; CTest hint_catalogue keeps
       every hint of the code translated), the English in title=; a hint
       without translation shows in English (lang="en"), never blank.
       ?lang=en: the English.  data-hint holds the English either way. -->
  <xsl:template name="hint">
    <xsl:param name="en"/>
    <xsl:variable name="h" select="key('h', string($en))[@zh != ''][1]"/>
    <xsl:choose>
      <xsl:when test="$lang != 'en' and $h"><span class="hint-text" title="{$en}" data-hint="{$en}"><xsl:value-of select="$h/@zh"/></span></xsl:when>
      <xsl:when test="$lang != 'en'"><span class="hint-text" lang="en" data-hint="{$en}"><xsl:value-of select="$en"/></span></xsl:when>
      <xsl:otherwise><span class="hint-text" data-hint="{$en}"><xsl:value-of select="$en"/></span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- fen as yuan with grouping: 600000000 -> 6,000,000.00 -->
  <xsl:template name="yuan">
    <xsl:param name="fen"/>
    <xsl:choose>
      <xsl:when test="string($fen) = ''">-</xsl:when>
      <xsl:otherwise>
        <xsl:variable name="f" select="translate($fen, '-', '')"/>
        <xsl:variable name="p" select="concat(substring('000', 1, 3 - string-length($f)), $f)"/>
        <xsl:if test="starts-with($fen, '-')">-</xsl:if>
        <xsl:value-of select="format-number(substring($p, 1, string-length($p) - 2), '#,##0')"/>
        <xsl:text>.</xsl:text>
        <xsl:value-of select="substring($p, string-length($p) - 1)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a bidder as people read it: its trading subject's registered name,
       else its organisation as it signed up, else its party id -->
  <xsl:template name="bidder-name">
    <xsl:param name="b"/>
    <xsl:variable name="sn" select="key('subject-name', string(key('bidder-subject', $b)[1]))[1]/@name"/>
    <xsl:variable name="org" select="key('bidder-org', $b)[1]"/>
    <xsl:choose>
      <xsl:when test="$sn"><xsl:value-of select="$sn"/></xsl:when>
      <xsl:when test="$org"><xsl:value-of select="$org"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$b"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
  <!-- the same with the party id in title= and data-bidder= -->
  <xsl:template name="bidder">
    <xsl:param name="b"/>
    <span class="bidder" title="{$b}" data-bidder="{$b}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="$b"/></xsl:call-template></span>
  </xsl:template>

  <!-- a reason a bid is invalid: its label (why:, cause: or rule: in
       strings.xml) and the token itself, both shown -->
  <xsl:template name="reason">
    <xsl:param name="v"/>
    <xsl:variable name="s" select="(key('s', concat('why:', $v)) | key('s', concat('cause:', $v)) | key('s', concat('rule:', $v)))[$lang != 'en' or @en][1]"/>
    <span class="why" data-token="{$v}"><xsl:if test="$s"><xsl:choose><xsl:when test="$lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when><xsl:otherwise><xsl:value-of select="$s/@zh"/></xsl:otherwise></xsl:choose><xsl:text> </xsl:text></xsl:if><small class="token">(<xsl:value-of select="$v"/>)</small></span>
  </xsl:template>

  <!-- why $bidder's bid is invalid: the opening's cause, else the clearing's
       findings of severity "invalid" (each rule once); nothing when valid -->
  <xsl:template name="invalid-why">
    <xsl:param name="t"/>
    <xsl:param name="bidder"/>
    <xsl:param name="stage" select="true()"/>
    <xsl:variable name="r" select="$t/e:opening-record/e:bid-result[@bidder = $bidder]"/>
    <xsl:variable name="f" select="$t/e:clearing-report/e:finding[@severity = 'invalid'][e:bidder/@party = $bidder]"/>
    <xsl:choose>
      <xsl:when test="$r/@status = 'invalid'">
        <xsl:call-template name="reason"><xsl:with-param name="v" select="$r/@cause"/></xsl:call-template>
        <xsl:if test="$r/@fault"> · <xsl:value-of select="$r/@fault"/></xsl:if>
      </xsl:when>
      <xsl:when test="$f">
        <xsl:if test="$stage"><span class="why-stage"><xsl:call-template name="t"><xsl:with-param name="id" select="'cleared-invalid'"/></xsl:call-template>: </span></xsl:if>
        <xsl:for-each select="$f[not(@rule = preceding-sibling::e:finding[@severity = 'invalid'][e:bidder/@party = $bidder]/@rule)]">
          <xsl:if test="position() > 1">; </xsl:if>
          <xsl:call-template name="reason"><xsl:with-param name="v" select="@rule"/></xsl:call-template>
        </xsl:for-each>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- the amount also in capital numerals (人民币大写) on the Chinese
       page: ebf:daxie is protocol/pagefn.c's, the board's too -->
  <xsl:template name="money">
    <xsl:param name="fen"/>
    <xsl:call-template name="yuan"><xsl:with-param name="fen" select="$fen"/></xsl:call-template>
    <xsl:call-template name="daxie"><xsl:with-param name="fen" select="$fen"/></xsl:call-template>
  </xsl:template>
  <xsl:template name="daxie">
    <xsl:param name="fen"/>
    <xsl:if test="$lang != 'en' and function-available('ebf:daxie')">
      <xsl:variable name="w" select="ebf:daxie(string($fen))"/>
      <xsl:if test="$w != ''"><br/><span class="daxie" data-fen="{$fen}">人民币<xsl:value-of select="$w"/></span></xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- an instant as people read it: Beijing time on the Chinese page
       (2027-01-06 17:23:35 北京时间, ebf:beijing), UTC on the English one;
       the exact instant stays in datetime= -->
  <xsl:template name="when">
    <xsl:param name="at"/>
    <xsl:variable name="bj"><xsl:if test="$lang != 'en' and function-available('ebf:beijing')"><xsl:value-of select="ebf:beijing(string($at))"/></xsl:if></xsl:variable>
    <time datetime="{$at}"><xsl:choose>
      <xsl:when test="string($bj) != ''"><xsl:value-of select="concat($bj, ' 北京时间')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="concat(substring($at, 1, 10), ' ', substring($at, 12, 8), ' UTC')"/></xsl:otherwise>
    </xsl:choose></time>
  </xsl:template>

  <!-- ==================================================== refusals in zh
       A refusal (the flash of a refused action, the problem page) on the
       Chinese page (docs/console.md, "Refusals in Chinese"): the reason's
       label, then a sentence: strings.xml <m id="msg:REASON">, else the
       fallbacks msg-else-state, msg-else, msg-else-bare (a refusal with
       a reason: its label and the action), msg-none, msg-none-bare (no
       reason: the console's own or the client's), the first whose every
       {NAME} the refusal can fill: {cmd} the action (cmd: label), {why}
       the reason (why: label), {role} whoami's (role: label), any other
       the flash's <value name=NAME> that console.c added (msg_values:
       fen as yuan with grouping and 元, {NAME:daxie} in capital numerals,
       an instant in Beijing time, a state by its label).  The detail the
       same from <m id="msgd:REASON">.  The server's English message and
       detail stay in title= and in "服务器原文" below. -->
  <xsl:template name="refusal-zh">
    <xsl:param name="f"/>
    <xsl:variable name="r" select="string($f/@reason)"/>
    <xsl:variable name="chain">
      <xsl:choose>
        <xsl:when test="$r != ''">msg:<xsl:value-of select="$r"/> msg-else-state msg-else msg-else-bare </xsl:when>
        <xsl:otherwise>msg-none msg-none-bare </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="id"><xsl:call-template name="msg-pick"><xsl:with-param name="ids" select="string($chain)"/><xsl:with-param name="f" select="$f"/></xsl:call-template></xsl:variable>
    <p class="message">
      <xsl:if test="$r != '' and key('s', concat('why:', $r))"><xsl:call-template name="tok"><xsl:with-param name="k" select="'why'"/><xsl:with-param name="v" select="$r"/></xsl:call-template><xsl:text>：</xsl:text></xsl:if>
      <span class="msg-text" lang="zh-CN" title="{$f/e:message}" data-message="{$f/e:message}" data-msg="{$id}"><xsl:call-template name="msg-fill"><xsl:with-param name="text" select="string(key('m', string($id))/@zh)"/><xsl:with-param name="f" select="$f"/></xsl:call-template></span>
    </p>
    <xsl:variable name="d" select="key('m', concat('msgd:', $r))/@zh"/>
    <xsl:variable name="dok"><xsl:if test="$r != '' and $d"><xsl:call-template name="msg-can"><xsl:with-param name="text" select="string($d)"/><xsl:with-param name="f" select="$f"/></xsl:call-template></xsl:if></xsl:variable>
    <xsl:if test="$dok = 'yes'">
      <p class="detail"><xsl:call-template name="t"><xsl:with-param name="id" select="'detail'"/></xsl:call-template>：<span class="msg-text" lang="zh-CN" title="{$f/e:detail}" data-detail="{$f/e:detail}"><xsl:call-template name="msg-fill"><xsl:with-param name="text" select="string($d)"/><xsl:with-param name="f" select="$f"/></xsl:call-template></span></p>
    </xsl:if>
    <details class="original"><summary><xsl:call-template name="t"><xsl:with-param name="id" select="'original'"/></xsl:call-template></summary>
      <p lang="en" class="original-message"><xsl:value-of select="$f/e:message"/></p>
      <xsl:if test="$f/e:detail"><p lang="en" class="original-detail"><xsl:value-of select="$f/e:detail"/></p></xsl:if>
    </details>
  </xsl:template>

  <!-- the first id of the space-separated 'ids' whose <m> the refusal
       can fill (the last of a chain has no figure: always) -->
  <xsl:template name="msg-pick">
    <xsl:param name="ids"/>
    <xsl:param name="f"/>
    <xsl:variable name="id" select="substring-before($ids, ' ')"/>
    <xsl:variable name="m" select="key('m', $id)/@zh"/>
    <xsl:variable name="ok"><xsl:if test="$m"><xsl:call-template name="msg-can"><xsl:with-param name="text" select="string($m)"/><xsl:with-param name="f" select="$f"/></xsl:call-template></xsl:if></xsl:variable>
    <xsl:choose>
      <xsl:when test="$ok = 'yes' or substring-after($ids, ' ') = ''"><xsl:value-of select="$id"/></xsl:when>
      <xsl:otherwise><xsl:call-template name="msg-pick"><xsl:with-param name="ids" select="substring-after($ids, ' ')"/><xsl:with-param name="f" select="$f"/></xsl:call-template></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 'yes' when every {NAME} of 'text' has its figure in the refusal -->
  <xsl:template name="msg-can">
    <xsl:param name="text"/>
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="contains($text, '{') and contains(substring-after($text, '{'), '}')">
        <xsl:variable name="n" select="substring-before(substring-after($text, '{'), '}')"/>
        <xsl:variable name="b" select="concat(substring-before(concat($n, ':'), ':'), '')"/>
        <xsl:choose>
          <xsl:when test="($b = 'cmd' and $f/@action) or ($b = 'why' and key('s', concat('why:', $f/@reason))) or ($b = 'role' and $me/@role) or $f/e:value[@name = $b]">
            <xsl:call-template name="msg-can"><xsl:with-param name="text" select="substring-after(substring-after($text, '{'), '}')"/><xsl:with-param name="f" select="$f"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise>no</xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>yes</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 'text' with each {NAME} filled (see refusal-zh) -->
  <xsl:template name="msg-fill">
    <xsl:param name="text"/>
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="contains($text, '{') and contains(substring-after($text, '{'), '}')">
        <xsl:variable name="n" select="substring-before(substring-after($text, '{'), '}')"/>
        <xsl:variable name="b" select="substring-before(concat($n, ':'), ':')"/>
        <xsl:variable name="v" select="$f/e:value[@name = $b][1]"/>
        <xsl:value-of select="substring-before($text, '{')"/>
        <xsl:choose>
          <xsl:when test="$b = 'cmd'"><xsl:call-template name="tok-text"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="$f/@action"/></xsl:call-template></xsl:when>
          <xsl:when test="$b = 'why'"><xsl:call-template name="tok-text"><xsl:with-param name="k" select="'why'"/><xsl:with-param name="v" select="$f/@reason"/></xsl:call-template></xsl:when>
          <xsl:when test="$b = 'role'"><xsl:call-template name="tok-text"><xsl:with-param name="k" select="'role'"/><xsl:with-param name="v" select="$me/@role"/></xsl:call-template></xsl:when>
          <xsl:when test="$v/@fen and substring-after($n, ':') = 'daxie'"><span class="daxie" data-fen="{$v/@fen}">人民币<xsl:value-of select="ebf:daxie(string($v/@fen))"/></span></xsl:when>
          <xsl:when test="$v/@fen"><span class="amount" data-fen="{$v/@fen}"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="$v/@fen"/></xsl:call-template> 元</span></xsl:when>
          <xsl:when test="$v/@at"><xsl:call-template name="when"><xsl:with-param name="at" select="$v/@at"/></xsl:call-template></xsl:when>
          <xsl:when test="$v/@token"><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="$v/@token"/></xsl:call-template></xsl:when>
          <xsl:otherwise><xsl:value-of select="$n"/></xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="msg-fill"><xsl:with-param name="text" select="substring-after(substring-after($text, '{'), '}')"/><xsl:with-param name="f" select="$f"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ============================================================ layout -->
  <xsl:template match="/e:page">
    <html lang="{substring('zh-CNen', 1 + 5 * ($lang = 'en'), 5 - 3 * ($lang = 'en'))}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:apply-templates select="e:home|e:desk|e:confirm|e:problem" mode="title"/>
          <xsl:text> · </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="id" select="'site'"/></xsl:call-template>
        </title>
        <link rel="stylesheet" href="/static/console.css"/>
        <script src="/static/console.js" defer="defer"></script>
      </head>
      <body>
        <header>
          <p class="site"><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'site'"/></xsl:call-template></a></p>
          <p class="who">
            <xsl:call-template name="t"><xsl:with-param name="id" select="'you'"/></xsl:call-template>:
            <strong><xsl:value-of select="$me/@name"/></strong>
            (<xsl:call-template name="tok"><xsl:with-param name="k" select="'role'"/><xsl:with-param name="v" select="$me/@role"/></xsl:call-template>, <xsl:value-of select="$me/@party"/>, <xsl:value-of select="$me/@org"/>)
          </p>
          <nav>
            <ul>
              <li><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'home'"/></xsl:call-template></a></li>
              <li>
                <a hreflang="{substring('enzh', 1 + 2 * ($lang = 'en'), 2)}">
                  <xsl:attribute name="href">
                    <xsl:value-of select="@path"/>
                    <xsl:if test="$lang != 'en'">?lang=en</xsl:if>
                  </xsl:attribute>
                  <xsl:call-template name="t"><xsl:with-param name="id" select="'other-lang'"/></xsl:call-template>
                </a>
              </li>
            </ul>
          </nav>
        </header>
        <main>
          <xsl:apply-templates select="e:flash"/>
          <xsl:apply-templates select="e:home|e:desk|e:confirm|e:problem"/>
        </main>
        <footer>
          <p><xsl:call-template name="t"><xsl:with-param name="id" select="'server'"/></xsl:call-template>:
            <xsl:value-of select="$me/@server"/> · 127.0.0.1:<xsl:value-of select="@port"/></p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="e:home" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'home'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:desk" mode="title">
    <xsl:value-of select="@id"/>
  </xsl:template>
  <xsl:template match="e:confirm" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'confirm'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:problem" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'error'"/></xsl:call-template></xsl:template>

  <!-- the result of the last action: the server's words -->
  <xsl:template match="e:flash">
    <section class="flash flash-{@kind}" id="flash" aria-labelledby="flash-h">
      <xsl:attribute name="role"><xsl:choose><xsl:when test="@kind = 'error'">alert</xsl:when><xsl:otherwise>status</xsl:otherwise></xsl:choose></xsl:attribute>
      <p class="flash-title" id="flash-h">
        <xsl:call-template name="t"><xsl:with-param name="id" select="substring('refuseddone', 1 + 7 * (@kind = 'ok'), 7 - 3 * (@kind = 'ok'))"/></xsl:call-template>:
        <xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="@action"/></xsl:call-template>
      </p>
      <xsl:choose>
        <xsl:when test="$lang != 'en' and e:message"><xsl:call-template name="refusal-zh"><xsl:with-param name="f" select="."/></xsl:call-template></xsl:when>
        <xsl:otherwise>
          <xsl:if test="e:message"><p class="message"><xsl:if test="@reason and key('s', concat('why:', @reason))"><xsl:call-template name="tok"><xsl:with-param name="k" select="'why'"/><xsl:with-param name="v" select="@reason"/></xsl:call-template><xsl:text>: </xsl:text></xsl:if><xsl:value-of select="e:message"/></p></xsl:if>
          <xsl:if test="e:detail"><p class="detail"><xsl:call-template name="t"><xsl:with-param name="id" select="'detail'"/></xsl:call-template>: <xsl:value-of select="e:detail"/></p></xsl:if>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="e:hint"><p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'hint'"/></xsl:call-template>: <xsl:call-template name="hint"><xsl:with-param name="en" select="e:hint"/></xsl:call-template></p></xsl:if>
      <xsl:if test="e:output">
        <details><summary><xsl:call-template name="t"><xsl:with-param name="id" select="'output'"/></xsl:call-template></summary><pre><xsl:value-of select="e:output"/></pre></details>
      </xsl:if>
    </section>
  </xsl:template>

  <xsl:template match="e:problem">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'error'"/></xsl:call-template></h1>
    <div class="flash flash-error" role="alert">
      <xsl:choose>
        <xsl:when test="$lang != 'en'"><xsl:call-template name="refusal-zh"><xsl:with-param name="f" select="."/></xsl:call-template></xsl:when>
        <xsl:otherwise>
          <p class="message"><xsl:value-of select="e:message"/></p>
          <xsl:if test="e:detail"><p class="detail"><xsl:value-of select="e:detail"/></p></xsl:if>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="e:hint"><p class="hint"><xsl:call-template name="hint"><xsl:with-param name="en" select="e:hint"/></xsl:call-template></p></xsl:if>
    </div>
    <p><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'home'"/></xsl:call-template></a></p>
  </xsl:template>

  <!-- ============================================================== home -->
  <xsl:template match="e:home">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'home'"/></xsl:call-template></h1>
    <form method="get" action="/open" class="open">
      <xsl:if test="$lang = 'en'"><input type="hidden" name="lang" value="en"/></xsl:if>
      <label for="open-id"><xsl:call-template name="t"><xsl:with-param name="id" select="'open-id'"/></xsl:call-template></label>
      <input id="open-id" name="id" required="required" pattern="[A-Za-z0-9_.\-]+" aria-describedby="open-hint"/>
      <button type="submit"><xsl:call-template name="t"><xsl:with-param name="id" select="'open'"/></xsl:call-template></button>
      <p id="open-hint" class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'open-hint'"/></xsl:call-template></p>
    </form>
    <section aria-labelledby="h-recent">
      <h2 id="h-recent"><xsl:call-template name="t"><xsl:with-param name="id" select="'recent'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="e:recent">
          <ul>
            <xsl:for-each select="e:recent">
              <li><a href="/{substring(@kind, 1, 1)}/{@id}{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="@kind"/></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@id"/></a></li>
            </xsl:for-each>
          </ul>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- ======================================================= tender desk -->
  <xsl:template match="e:desk[@kind = 'tender']">
    <xsl:variable name="t" select="e:tender"/>
    <xsl:variable name="seat" select="$t/e:committee/e:member[@party = $me/@party]"/>
    <h1><xsl:value-of select="$t/e:registration/e:title"/></h1>
    <p class="facts">
      <xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template>
      <xsl:text> </xsl:text><code><xsl:value-of select="@id"/></code> ·
      <xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template>:
      <span class="state" id="state" data-state="{$t/@state}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="$t/@state"/></xsl:call-template></span>
      <xsl:if test="$t/e:registration/e:bid-deadline/@at"> ·
        <xsl:call-template name="t"><xsl:with-param name="id" select="'deadline'"/></xsl:call-template>:
        <span class="countdown" data-until="{$t/e:registration/e:bid-deadline/@at}"><xsl:call-template name="when"><xsl:with-param name="at" select="$t/e:registration/e:bid-deadline/@at"/></xsl:call-template></span>
      </xsl:if>
    </p>
    <xsl:if test="$seat">
      <p class="seat"><xsl:call-template name="t"><xsl:with-param name="id" select="'your-seat'"/></xsl:call-template>:
        <xsl:value-of select="$seat/@specialty"/> ·
        <span id="seat-status"><xsl:call-template name="t"><xsl:with-param name="id" select="concat('member-', $seat/@status)"/></xsl:call-template></span></p>
    </xsl:if>
    <xsl:if test="$t/e:registration/e:custodians and $me/@role != 'bidder' and $me/@role != 'expert'">
      <p class="hall-link"><a href="/t/{@id}/hall{$q}" id="hall-link"><xsl:call-template name="t"><xsl:with-param name="id" select="'hall-open'"/></xsl:call-template></a></p>
    </xsl:if>
    <xsl:apply-templates select="e:duties"/>
    <xsl:if test="$me/@role = 'bidder' and $t/@state = 'bidding'">
      <xsl:call-template name="bid-form"/>
    </xsl:if>
    <xsl:apply-templates select="e:bid-job"/>
    <xsl:if test="@receipt-bytes">
      <p class="receipt"><a href="/t/{@id}/receipt" download="{@id}.receipt" id="receipt-link"><xsl:call-template name="t"><xsl:with-param name="id" select="'receipt'"/></xsl:call-template></a>
        (<xsl:value-of select="@receipt-bytes"/> B) ·
        <a href="/t/{@id}/sealed" download="{@id}.sealed" id="sealed-link"><xsl:call-template name="t"><xsl:with-param name="id" select="'sealed'"/></xsl:call-template></a>
        — <xsl:call-template name="t"><xsl:with-param name="id" select="'receipt-help'"/></xsl:call-template></p>
    </xsl:if>
    <xsl:if test="$seat/@status = 'accepted' and $t/@state = 'evaluation'">
      <xsl:call-template name="score-form"><xsl:with-param name="t" select="$t"/></xsl:call-template>
    </xsl:if>
    <xsl:if test="$seat/@status = 'accepted'">
      <xsl:call-template name="report"><xsl:with-param name="t" select="$t"/></xsl:call-template>
    </xsl:if>
    <xsl:if test="$t/e:opening-record or $t/e:clearing-report">
      <xsl:call-template name="bids-and-clearing"><xsl:with-param name="t" select="$t"/></xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- what this party may and must do now: a form per command -->
  <xsl:template match="e:duties">
    <xsl:variable name="desk" select=".."/>
    <section aria-labelledby="h-duties" class="duties">
      <h2 id="h-duties"><xsl:call-template name="t"><xsl:with-param name="id" select="'duties'"/></xsl:call-template></h2>
      <xsl:if test="not(e:may)"><p><xsl:call-template name="t"><xsl:with-param name="id" select="'no-duties'"/></xsl:call-template></p></xsl:if>
      <xsl:for-each select="e:may[@command = 'submit-scores' or @command = 'sign-report' or @command = 'submit-bid']">
        <p class="duty"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="@command"/></xsl:call-template>:
          <a href="#{substring('h-scoringh-reporth-bid', 1 + 9 * (@command = 'sign-report') + 17 * (@command = 'submit-bid'), 9 - (@command = 'sign-report') - 4 * (@command = 'submit-bid'))}"><xsl:call-template name="t"><xsl:with-param name="id" select="substring('scoringreportbid-submit', 1 + 7 * (@command = 'sign-report') + 13 * (@command = 'submit-bid'), 7 - 1 * (@command = 'sign-report') + 3 * (@command = 'submit-bid'))"/></xsl:call-template></a></p>
      </xsl:for-each>
      <xsl:for-each select="e:may[not(@command = 'submit-scores' or @command = 'sign-report' or @command = 'submit-bid')]">
        <xsl:variable name="cmd" select="@command"/>
        <xsl:variable name="must" select="../e:must[@command = $cmd]"/>
        <xsl:variable name="f" select="$desk/e:fields[@command = $cmd]"/>
        <form method="post" action="/{substring($desk/@kind, 1, 1)}/{$desk/@id}/do{$q}" class="duty" aria-labelledby="d-{$cmd}">
          <h3 id="d-{$cmd}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="$cmd"/></xsl:call-template>
            <xsl:text> </xsl:text>
            <span class="tag">
              <xsl:choose>
                <xsl:when test="$must"><xsl:call-template name="t"><xsl:with-param name="id" select="'must'"/></xsl:call-template><xsl:if test="$must/@by"> (<xsl:call-template name="t"><xsl:with-param name="id" select="'by'"/></xsl:call-template><xsl:text> </xsl:text><xsl:call-template name="when"><xsl:with-param name="at" select="$must/@by"/></xsl:call-template>)</xsl:if></xsl:when>
                <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="id" select="'may'"/></xsl:call-template></xsl:otherwise>
              </xsl:choose>
            </span>
          </h3>
          <input type="hidden" name="cmd" value="{$cmd}"/>
          <xsl:choose>
            <!-- the draw: the console makes the secret and sends its SHA-256 -->
            <xsl:when test="$cmd = 'request-draw'">
              <p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'draw-commit-help'"/></xsl:call-template></p>
              <table class="seats">
                <caption><xsl:call-template name="t"><xsl:with-param name="id" select="'seats'"/></xsl:call-template></caption>
                <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'specialty'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'count'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'reserve-seats'"/></xsl:call-template></th></tr></thead>
                <tbody>
                  <xsl:for-each select="(//e:*)[position() &lt;= 4]">
                    <xsl:variable name="n" select="position()"/>
                    <tr>
                      <td><label class="sr" for="seats-{$n}-specialty"><xsl:call-template name="t"><xsl:with-param name="id" select="'specialty'"/></xsl:call-template> <xsl:value-of select="$n"/></label><input id="seats-{$n}-specialty" name="seats.{$n}.specialty" list="dl-specialty"><xsl:if test="$n = 1"><xsl:attribute name="required">required</xsl:attribute></xsl:if></input></td>
                      <td><label class="sr" for="seats-{$n}-count"><xsl:call-template name="t"><xsl:with-param name="id" select="'count'"/></xsl:call-template> <xsl:value-of select="$n"/></label><input id="seats-{$n}-count" name="seats.{$n}.count" inputmode="numeric" size="3"/></td>
                      <td><label class="sr" for="seats-{$n}-reserve"><xsl:call-template name="t"><xsl:with-param name="id" select="'reserve-seats'"/></xsl:call-template> <xsl:value-of select="$n"/></label><input id="seats-{$n}-reserve" name="seats.{$n}.reserve" inputmode="numeric" size="3"/></td>
                    </tr>
                  </xsl:for-each>
                </tbody>
              </table>
              <datalist id="dl-specialty"><option value="civil-works"/><option value="electrical"/><option value="economics"/><option value="mechanical"/></datalist>
              <xsl:for-each select="$f/e:attr">
                <p><label for="f-{$cmd}-a-{@name}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'f'"/><xsl:with-param name="v" select="@name"/></xsl:call-template></label>
                  <input id="f-{$cmd}-a-{@name}" name="a.{@name}" inputmode="numeric" size="4"/></p>
              </xsl:for-each>
            </xsl:when>
            <!-- the share: decrypted with the custodian's key and signed here -->
            <xsl:when test="$cmd = 'submit-share'">
              <p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'share-help'"/></xsl:call-template></p>
            </xsl:when>
            <xsl:when test="$cmd = 'draw-experts'">
              <p><label for="f-draw-pool"><xsl:call-template name="t"><xsl:with-param name="id" select="'pool'"/></xsl:call-template><xsl:call-template name="t"><xsl:with-param name="id" select="'required'"/></xsl:call-template></label>
                <input id="f-draw-pool" name="pool" required="required" pattern="[A-Za-z0-9_.\-]+"/></p>
              <p><label for="f-draw-reveal"><xsl:call-template name="tok"><xsl:with-param name="k" select="'f'"/><xsl:with-param name="v" select="'reveal'"/></xsl:call-template></label>
                <input id="f-draw-reveal" name="reveal" aria-describedby="f-draw-reveal-h"/></p>
              <p class="hint" id="f-draw-reveal-h"><xsl:call-template name="t"><xsl:with-param name="id" select="'reveal-help'"/></xsl:call-template></p>
            </xsl:when>
            <xsl:otherwise>
              <xsl:for-each select="$f/e:attr">
                <xsl:variable name="an" select="@name"/>
                <p><label for="f-{$cmd}-a-{@name}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'f'"/><xsl:with-param name="v" select="@name"/></xsl:call-template><xsl:if test="@required = 'yes'"><xsl:call-template name="t"><xsl:with-param name="id" select="'required'"/></xsl:call-template></xsl:if></label>
                  <xsl:choose>
                    <xsl:when test="e:enum">
                      <select id="f-{$cmd}-a-{@name}" name="a.{@name}">
                        <xsl:for-each select="e:enum"><option value="{@value}"><xsl:call-template name="tok-text"><xsl:with-param name="k" select="concat('v-', $an)"/><xsl:with-param name="v" select="@value"/></xsl:call-template></option></xsl:for-each>
                      </select>
                    </xsl:when>
                    <xsl:otherwise>
                      <input id="f-{$cmd}-a-{@name}" name="a.{@name}">
                        <xsl:if test="@required = 'yes'"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
                        <xsl:if test="@name = 'bidder' or @name = 'objection'"><xsl:attribute name="list">dl-<xsl:value-of select="$cmd"/>-<xsl:value-of select="@name"/></xsl:attribute></xsl:if>
                      </input>
                      <xsl:if test="@name = 'bidder'">
                        <datalist id="dl-{$cmd}-bidder">
                          <xsl:for-each select="$desk/*/e:sign-ups/e:sign-up[@status = 'pending'] | $desk/*/e:sign-ups/e:sign-up[not(@status = 'pending')] | $desk/*/e:bidders/e:bidder[@party]">
                            <option value="{@bidder | @party}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="@bidder | @party"/></xsl:call-template> (<xsl:call-template name="tok-text"><xsl:with-param name="k" select="'signup'"/><xsl:with-param name="v" select="@status"/></xsl:call-template>)</option>
                          </xsl:for-each>
                        </datalist>
                      </xsl:if>
                      <xsl:if test="@name = 'objection'">
                        <datalist id="dl-{$cmd}-objection">
                          <xsl:for-each select="$desk/*/e:objections/e:objection[@status = 'open']"><option value="{@objection}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></option></xsl:for-each>
                        </datalist>
                      </xsl:if>
                    </xsl:otherwise>
                  </xsl:choose></p>
              </xsl:for-each>
              <xsl:for-each select="$f/e:child[not(@complex = 'yes')]">
                <p><label for="f-{$cmd}-c-{@name}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'f'"/><xsl:with-param name="v" select="@name"/></xsl:call-template><xsl:if test="@required = 'yes'"><xsl:call-template name="t"><xsl:with-param name="id" select="'required'"/></xsl:call-template></xsl:if></label>
                  <textarea id="f-{$cmd}-c-{@name}" name="c.{@name}" rows="2">
                    <xsl:if test="@required = 'yes'"><xsl:attribute name="required">required</xsl:attribute></xsl:if>
                  </textarea></p>
              </xsl:for-each>
              <!-- the committee's candidates, when the supervisor names them -->
              <xsl:if test="$cmd = 'close-evaluation'">
                <xsl:for-each select="(//e:*)[position() &lt;= 3]">
                  <xsl:variable name="n" select="position()"/>
                  <p><label for="cand-{$n}"><xsl:call-template name="t"><xsl:with-param name="id" select="'candidate'"/></xsl:call-template> <xsl:value-of select="$n"/></label>
                    <select id="cand-{$n}" name="cand.{$n}">
                      <option value=""><xsl:call-template name="t"><xsl:with-param name="id" select="'by-ranking'"/></xsl:call-template></option>
                      <xsl:for-each select="$desk/e:tender/e:clearing-report/e:bid-summary[@status = 'valid']"><option value="{@bidder}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></option></xsl:for-each>
                    </select></p>
                </xsl:for-each>
              </xsl:if>
            </xsl:otherwise>
          </xsl:choose>
          <xsl:choose>
            <xsl:when test="$f/e:child[@complex = 'yes' and @required = 'yes'] and not($cmd = 'request-draw' or $cmd = 'submit-share')">
              <p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'complex'"/></xsl:call-template>
                <code>ebid <xsl:value-of select="$desk/@kind"/><xsl:text> </xsl:text><xsl:value-of select="$cmd"/><xsl:text> </xsl:text><xsl:value-of select="$desk/@id"/> FILE.xml</code></p>
            </xsl:when>
            <xsl:otherwise>
              <button type="submit"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="$cmd"/></xsl:call-template></button>
            </xsl:otherwise>
          </xsl:choose>
        </form>
      </xsl:for-each>
    </section>
  </xsl:template>

  <!-- the opened bids and the clearing report, side by side -->
  <xsl:template name="bids-and-clearing">
    <xsl:param name="t"/>
    <section aria-labelledby="h-bc" class="side-by-side">
      <h2 id="h-bc"><xsl:call-template name="t"><xsl:with-param name="id" select="'bids-and-clearing'"/></xsl:call-template></h2>
      <div class="cols">
        <section aria-labelledby="h-opened" class="col">
          <h3 id="h-opened"><xsl:call-template name="t"><xsl:with-param name="id" select="'opened-bids'"/></xsl:call-template></h3>
          <xsl:for-each select="$t/e:opening-record/e:bid-result">
            <article class="bid" aria-labelledby="b-{@bidder}">
              <h4 id="b-{@bidder}"><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></h4>
              <dl>
                <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'status'"/></xsl:call-template></dt>
                <dd><xsl:call-template name="tok"><xsl:with-param name="k" select="'bid'"/><xsl:with-param name="v" select="@status"/></xsl:call-template><xsl:variable name="why"><xsl:call-template name="invalid-why"><xsl:with-param name="t" select="$t"/><xsl:with-param name="bidder" select="@bidder"/></xsl:call-template></xsl:variable><xsl:if test="string($why) != ''"> — <span class="cause"><xsl:call-template name="invalid-why"><xsl:with-param name="t" select="$t"/><xsl:with-param name="bidder" select="@bidder"/></xsl:call-template></span></xsl:if></dd>
                <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></dt>
                <dd class="num"><xsl:call-template name="money"><xsl:with-param name="fen" select="@total-price"/></xsl:call-template></dd>
                <xsl:if test="e:bid/e:completion-days">
                  <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'days'"/></xsl:call-template></dt>
                  <dd><xsl:value-of select="e:bid/e:completion-days"/></dd>
                </xsl:if>
              </dl>
              <xsl:if test="e:bid/e:sections/e:section or e:bid/e:technical">
                <details>
                  <summary><xsl:call-template name="t"><xsl:with-param name="id" select="'sections'"/></xsl:call-template></summary>
                  <xsl:for-each select="e:bid/e:sections/e:section">
                    <h5><xsl:value-of select="@name"/></h5><p><xsl:value-of select="."/></p>
                  </xsl:for-each>
                  <xsl:if test="e:bid/e:technical"><p><xsl:value-of select="e:bid/e:technical"/></p></xsl:if>
                </details>
              </xsl:if>
            </article>
          </xsl:for-each>
        </section>
        <section aria-labelledby="h-clearing" class="col">
          <h3 id="h-clearing"><xsl:call-template name="t"><xsl:with-param name="id" select="'clearing'"/></xsl:call-template></h3>
          <table>
            <thead><tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'corrected'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'status'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'findings'"/></xsl:call-template></th>
            </tr></thead>
            <tbody>
              <xsl:for-each select="$t/e:clearing-report/e:bid-summary">
                <tr class="st-{@status}">
                  <th scope="row"><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></th>
                  <td class="num"><xsl:call-template name="money"><xsl:with-param name="fen" select="@corrected-total"/></xsl:call-template></td>
                  <td class="status"><xsl:call-template name="t"><xsl:with-param name="id" select="concat('bid-', @status)"/></xsl:call-template><xsl:if test="@status = 'invalid'">: <span class="cause"><xsl:call-template name="invalid-why"><xsl:with-param name="t" select="$t"/><xsl:with-param name="bidder" select="@bidder"/><xsl:with-param name="stage" select="false()"/></xsl:call-template></span></xsl:if></td>
                  <td class="num"><xsl:value-of select="@findings"/></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
          <details>
            <summary><xsl:call-template name="t"><xsl:with-param name="id" select="'finding'"/></xsl:call-template> (<xsl:value-of select="count($t/e:clearing-report/e:finding)"/>)</summary>
            <ul class="findings">
              <xsl:for-each select="$t/e:clearing-report/e:finding">
                <li class="sev-{@severity}"><strong><xsl:for-each select="e:bidder"><xsl:if test="position() > 1">, </xsl:if><xsl:call-template name="bidder"><xsl:with-param name="b" select="@party"/></xsl:call-template></xsl:for-each></strong> · <xsl:call-template name="reason"><xsl:with-param name="v" select="@rule"/></xsl:call-template> · <xsl:call-template name="tok"><xsl:with-param name="k" select="'sev'"/><xsl:with-param name="v" select="@severity"/></xsl:call-template>: <xsl:value-of select="e:detail"/></li>
              </xsl:for-each>
            </ul>
          </details>
        </section>
      </div>
    </section>
  </xsl:template>

  <!-- the expert's score sheet, built from the evaluation rules -->
  <xsl:template name="score-form">
    <xsl:param name="t"/>
    <xsl:variable name="crit" select="$t/e:registration/e:rules/e:evaluation-rules/e:criterion"/>
    <xsl:variable name="draft" select="../e:draft/e:score-sheet"/>
    <section aria-labelledby="h-scoring" class="scoring">
      <h2 id="h-scoring"><xsl:call-template name="t"><xsl:with-param name="id" select="'scoring'"/></xsl:call-template></h2>
      <p id="scoring-help"><xsl:call-template name="t"><xsl:with-param name="id" select="'scoring-help'"/></xsl:call-template></p>
      <xsl:if test="$t/e:scores/*">
        <p class="flash flash-ok"><xsl:call-template name="t"><xsl:with-param name="id" select="'sheet-recorded'"/></xsl:call-template></p>
      </xsl:if>
      <form method="post" action="/t/{$t/@id}/scores{$q}" id="score-form" data-check="/t/{$t/@id}/check" novalidate="novalidate" aria-describedby="scoring-help">
        <table class="sheet">
          <caption><xsl:call-template name="t"><xsl:with-param name="id" select="'draft'"/></xsl:call-template></caption>
          <thead>
            <tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
              <xsl:for-each select="$crit">
                <th scope="col" id="c-{@id}"><xsl:value-of select="@name"/><br/>
                  <small><xsl:choose><xsl:when test="@min"><xsl:value-of select="@min"/></xsl:when><xsl:otherwise>0</xsl:otherwise></xsl:choose>–<xsl:value-of select="@max"/>
                    <xsl:if test="@step">, <xsl:call-template name="t"><xsl:with-param name="id" select="'step'"/></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@step"/></xsl:if></small></th>
              </xsl:for-each>
            </tr>
          </thead>
          <tbody>
            <xsl:for-each select="$t/e:clearing-report/e:bid-summary[@status = 'valid']">
              <xsl:variable name="b" select="@bidder"/>
              <tr>
                <th scope="row" id="r-{$b}"><xsl:call-template name="bidder"><xsl:with-param name="b" select="$b"/></xsl:call-template><br/><small><xsl:value-of select="$b"/></small></th>
                <xsl:for-each select="$crit">
                  <td>
                    <label class="sr" for="v:{$b}:{@id}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="$b"/></xsl:call-template><xsl:value-of select="concat(' · ', @name)"/></label>
                    <input id="v:{$b}:{@id}" name="v:{$b}:{@id}" inputmode="decimal" autocomplete="off" size="5"
                        data-min="{@min}" data-max="{@max}" data-step="{@step}"
                        value="{$draft/e:score[@bid = $b][@criterion = current()/@id]/@value}"/>
                    <xsl:if test="@reason-below or @reason-above">
                      <label class="sr" for="r:{$b}:{@id}"><xsl:call-template name="bidder-name"><xsl:with-param name="b" select="$b"/></xsl:call-template><xsl:value-of select="concat(' · ', @name, ' · ')"/><xsl:call-template name="t"><xsl:with-param name="id" select="'reason'"/></xsl:call-template></label>
                      <input id="r:{$b}:{@id}" name="r:{$b}:{@id}" class="reason" placeholder="…"
                          value="{$draft/e:score[@bid = $b][@criterion = current()/@id]/e:reason}"/>
                    </xsl:if>
                  </td>
                </xsl:for-each>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
        <div id="sheet-check" class="check" role="status" aria-live="polite"></div>
        <p><button type="submit"><xsl:call-template name="t"><xsl:with-param name="id" select="'submit-scores'"/></xsl:call-template></button></p>
      </form>
    </section>
  </xsl:template>

  <!-- the committee report: read it, sign it (with dissent) -->
  <xsl:template name="report">
    <xsl:param name="t"/>
    <xsl:variable name="er" select="$t/e:result/e:evaluation-result"/>
    <section aria-labelledby="h-report" class="report">
      <h2 id="h-report"><xsl:call-template name="t"><xsl:with-param name="id" select="'report'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="not($t/e:result)"><p><xsl:call-template name="t"><xsl:with-param name="id" select="'result-none'"/></xsl:call-template></p></xsl:when>
        <xsl:otherwise>
          <table>
            <caption><xsl:call-template name="t"><xsl:with-param name="id" select="'ranking'"/></xsl:call-template></caption>
            <thead><tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'position'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'total'"/></xsl:call-template></th>
            </tr></thead>
            <tbody>
              <xsl:for-each select="$er/e:ranking/e:rank">
                <tr><td><xsl:value-of select="@position"/></td><th scope="row"><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></th>
                  <td class="num"><xsl:call-template name="money"><xsl:with-param name="fen" select="@price"/></xsl:call-template></td>
                  <td class="num"><xsl:value-of select="@total"/></td></tr>
              </xsl:for-each>
            </tbody>
          </table>
          <p><xsl:call-template name="t"><xsl:with-param name="id" select="'candidates'"/></xsl:call-template>:
            <xsl:for-each select="$t/e:result/e:candidate"><xsl:value-of select="@rank"/>. <xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template><xsl:text>  </xsl:text></xsl:for-each></p>
          <xsl:if test="$er/e:alert">
            <h3><xsl:call-template name="t"><xsl:with-param name="id" select="'alerts'"/></xsl:call-template></h3>
            <ul><xsl:for-each select="$er/e:alert"><li><xsl:value-of select="concat(@expert, ' · ')"/><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bid"/></xsl:call-template><xsl:value-of select="concat(' · ', @criterion, ': ', @value, ' (', @others-mean, ')')"/></li></xsl:for-each></ul>
          </xsl:if>
          <xsl:if test="$t/e:report-signatures/e:signature">
            <p><xsl:call-template name="t"><xsl:with-param name="id" select="'signatures'"/></xsl:call-template>:
              <xsl:for-each select="$t/e:report-signatures/e:signature"><span class="sig"><xsl:value-of select="@expert"/><xsl:if test="e:dissent"> (<xsl:value-of select="e:dissent"/>)</xsl:if></span><xsl:text> </xsl:text></xsl:for-each></p>
          </xsl:if>
          <xsl:if test="not($t/e:report-signatures/e:signature[@expert = $me/@party])">
            <form method="post" action="/t/{$t/@id}/sign{$q}" id="sign-form">
              <p><label for="dissent"><xsl:call-template name="t"><xsl:with-param name="id" select="'dissent'"/></xsl:call-template></label><br/>
                <textarea id="dissent" name="dissent" rows="3" cols="60"></textarea></p>
              <p><button type="submit"><xsl:call-template name="t"><xsl:with-param name="id" select="'sign-report'"/></xsl:call-template></button></p>
            </form>
          </xsl:if>
        </xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- a bidder's sealed bid, chosen as a file -->
  <xsl:template name="bid-form">
    <section aria-labelledby="h-bid" class="bidding">
      <h2 id="h-bid"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-submit'"/></xsl:call-template></h2>
      <p id="bid-help"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-help'"/></xsl:call-template></p>
      <form method="post" action="/t/{@id}/bid{$q}" enctype="multipart/form-data" id="bid-form" aria-describedby="bid-help">
        <p><label for="bid-file"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-file'"/></xsl:call-template></label>
          <input type="file" id="bid-file" name="file" accept=".xml,application/xml" required="required"/></p>
        <p><label for="bid-attach"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-attach'"/></xsl:call-template></label>
          <input type="file" id="bid-attach" name="attach" multiple="multiple" aria-describedby="bid-attach-help"/>
          <small id="bid-attach-help"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-attach-help'"/></xsl:call-template></small></p>
        <p><button type="submit"><xsl:call-template name="t"><xsl:with-param name="id" select="'seal-submit'"/></xsl:call-template></button>
          <progress id="bid-progress" hidden="hidden" aria-label="…"></progress></p>
      </form>
    </section>
  </xsl:template>

  <!-- a bid with attachments going out (console.c, "a bid with
       attachments"): phase, bytes, rate, time left; the script polls
       bid-progress and fills them in; an interrupted upload: resume -->
  <xsl:template match="e:bid-job">
    <xsl:variable name="id" select="../@id"/>
    <section aria-labelledby="h-bid-job" class="bid-job" id="bid-job" data-state="{@state}" data-progress="/t/{$id}/bid-progress">
      <h2 id="h-bid-job"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-job'"/></xsl:call-template></h2>
      <p><span id="job-phase" data-phase-now="{@phase}"><xsl:call-template name="t"><xsl:with-param name="id" select="concat('bid-phase-', @phase)"/></xsl:call-template></span>
        <xsl:text> </xsl:text>
        <progress id="job-bar" max="{@total + (@total = 0)}" value="{@done}" aria-labelledby="job-phase"></progress></p>
      <dl class="job-figures">
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-bytes'"/></xsl:call-template></dt>
        <dd id="job-bytes"><xsl:value-of select="format-number(@done div 1000000, '0.0')"/> / <xsl:value-of select="format-number(@total div 1000000, '0.0')"/> MB</dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-rate'"/></xsl:call-template></dt>
        <dd id="job-rate">—</dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-left'"/></xsl:call-template></dt>
        <dd id="job-left">—</dd>
      </dl>
      <p hidden="hidden" id="job-phases">
        <xsl:for-each select="key('s', 'bid-phase-sealing') | key('s', 'bid-phase-uploading') | key('s', 'bid-phase-receipt') | key('s', 'bid-phase-done') | key('s', 'bid-phase-failed')">
          <span data-phase="{substring-after(@id, 'bid-phase-')}"><xsl:call-template name="t"><xsl:with-param name="id" select="@id"/></xsl:call-template></span>
        </xsl:for-each>
      </p>
      <xsl:if test="@resumable = 'yes'">
        <form method="post" action="/t/{$id}/bid-resume{$q}" id="bid-resume-form">
          <p><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-resume-help'"/></xsl:call-template>
            <xsl:text> </xsl:text><button type="submit" id="bid-resume"><xsl:call-template name="t"><xsl:with-param name="id" select="'bid-resume'"/></xsl:call-template></button></p>
        </form>
      </xsl:if>
    </section>
  </xsl:template>

  <!-- ======================================================= the opening hall -->
  <xsl:template match="e:desk[@kind = 'hall']">
    <xsl:variable name="t" select="e:tender"/>
    <xsl:variable name="reg" select="$t/e:registration"/>
    <xsl:variable name="k" select="$reg/e:custodians/@threshold"/>
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'hall'"/></xsl:call-template> · <xsl:value-of select="$reg/e:title"/></h1>
    <p class="facts"><a href="/t/{@id}{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template> <code><xsl:value-of select="@id"/></code></a></p>
    <div id="hall" data-state="{$t/@state}" data-shares="{count($t/e:shares/e:share)}" data-bids="{count($t/e:opening-record/e:bid-result)}" data-cleared="{count($t/e:clearing-report/e:bid-summary)}">
      <section aria-labelledby="h-clock" class="clock">
        <h2 id="h-clock"><xsl:call-template name="t"><xsl:with-param name="id" select="'hall-stage'"/></xsl:call-template></h2>
        <dl class="board">
          <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></dt>
          <dd class="big" id="hall-state"><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="$t/@state"/></xsl:call-template></dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'deadline'"/></xsl:call-template></dt>
          <dd class="countdown big" id="hall-deadline" data-until="{$reg/e:bid-deadline/@at}"><xsl:call-template name="when"><xsl:with-param name="at" select="$reg/e:bid-deadline/@at"/></xsl:call-template></dd>
          <xsl:if test="$reg/e:opening-time/@at">
            <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'opening-time'"/></xsl:call-template></dt>
            <dd><xsl:call-template name="when"><xsl:with-param name="at" select="$reg/e:opening-time/@at"/></xsl:call-template></dd>
          </xsl:if>
          <xsl:if test="$t/e:bids">
            <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'bids-held'"/></xsl:call-template></dt>
            <dd id="hall-bids" class="num"><xsl:value-of select="count($t/e:bids/e:bid)"/></dd>
          </xsl:if>
        </dl>
      </section>
      <section aria-labelledby="h-shares" class="shares">
        <h2 id="h-shares"><xsl:call-template name="t"><xsl:with-param name="id" select="'shares'"/></xsl:call-template> (<span id="hall-share-count"><xsl:value-of select="count($t/e:shares/e:share)"/></span> / <xsl:value-of select="count($reg/e:custodians/e:custodian)"/>; <xsl:call-template name="t"><xsl:with-param name="id" select="'threshold'"/></xsl:call-template> <xsl:value-of select="$k"/>)</h2>
        <table id="hall-shares">
          <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'custodian'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'share-status'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'time'"/></xsl:call-template></th></tr></thead>
          <tbody>
            <xsl:for-each select="$reg/e:custodians/e:custodian">
              <xsl:variable name="sh" select="$t/e:shares/e:share[@custodian = current()/@party]"/>
              <tr class="share-{substring('waitingarrived', 1 + 7 * boolean($sh), 7)}" data-custodian="{@party}">
                <th scope="row"><xsl:value-of select="@party"/></th>
                <td><xsl:choose><xsl:when test="$sh"><xsl:call-template name="t"><xsl:with-param name="id" select="'share-arrived'"/></xsl:call-template></xsl:when><xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="id" select="'share-waiting'"/></xsl:call-template></xsl:otherwise></xsl:choose></td>
                <td><xsl:if test="$sh/@at"><xsl:call-template name="when"><xsl:with-param name="at" select="$sh/@at"/></xsl:call-template></xsl:if></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </section>
      <section aria-labelledby="h-opening" class="opening">
        <h2 id="h-opening"><xsl:call-template name="t"><xsl:with-param name="id" select="'opened-bids'"/></xsl:call-template></h2>
        <xsl:choose>
          <xsl:when test="$t/e:opening-record/e:bid-result">
            <table id="hall-bids-table">
              <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'status'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'cause-col'"/></xsl:call-template></th></tr></thead>
              <tbody>
                <xsl:for-each select="$t/e:opening-record/e:bid-result">
                  <tr class="st-{@status}" data-bidder="{@bidder}" data-status="{@status}">
                    <th scope="row"><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></th>
                    <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'bid'"/><xsl:with-param name="v" select="@status"/></xsl:call-template></td>
                    <td class="num"><xsl:call-template name="money"><xsl:with-param name="fen" select="@total-price"/></xsl:call-template></td>
                    <td class="cause"><xsl:call-template name="invalid-why"><xsl:with-param name="t" select="$t"/><xsl:with-param name="bidder" select="@bidder"/></xsl:call-template></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </xsl:when>
          <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'not-opened'"/></xsl:call-template></p></xsl:otherwise>
        </xsl:choose>
      </section>
      <section aria-labelledby="h-hall-clearing">
        <h2 id="h-hall-clearing"><xsl:call-template name="t"><xsl:with-param name="id" select="'clearing'"/></xsl:call-template></h2>
        <xsl:choose>
          <xsl:when test="$t/e:clearing-report/e:bid-summary">
            <table id="hall-clearing">
              <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'corrected'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'status'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'findings'"/></xsl:call-template></th></tr></thead>
              <tbody>
                <xsl:for-each select="$t/e:clearing-report/e:bid-summary">
                  <tr class="st-{@status}" data-bidder="{@bidder}"><th scope="row"><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></th>
                    <td class="num"><xsl:call-template name="money"><xsl:with-param name="fen" select="@corrected-total"/></xsl:call-template></td>
                    <td class="status" data-status="{@status}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'bid'"/><xsl:with-param name="v" select="@status"/></xsl:call-template><xsl:if test="@status = 'invalid'">: <span class="cause"><xsl:call-template name="invalid-why"><xsl:with-param name="t" select="$t"/><xsl:with-param name="bidder" select="@bidder"/><xsl:with-param name="stage" select="false()"/></xsl:call-template></span></xsl:if></td><td class="num"><xsl:value-of select="@findings"/></td></tr>
                </xsl:for-each>
              </tbody>
            </table>
          </xsl:when>
          <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'not-cleared'"/></xsl:call-template></p></xsl:otherwise>
        </xsl:choose>
      </section>
      <p class="hint" role="status" aria-live="polite" id="hall-live"><xsl:call-template name="t"><xsl:with-param name="id" select="'hall-live'"/></xsl:call-template></p>
    </div>
  </xsl:template>

  <!-- ========================================================= sale desk -->
  <xsl:template match="e:desk[@kind = 'sale']">
    <xsl:variable name="s" select="e:sale"/>
    <xsl:variable name="mine" select="$s/e:bidders/e:bidder[@you = 'yes']"/>
    <h1><xsl:value-of select="$s/e:asset"/></h1>
    <p class="facts"><xsl:call-template name="t"><xsl:with-param name="id" select="'sale'"/></xsl:call-template>
      <xsl:text> </xsl:text><code><xsl:value-of select="@id"/></code> ·
      <xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template>:
      <span class="state" id="sale-state" data-state="{$s/@state}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="$s/@state"/></xsl:call-template></span>
      <xsl:if test="$mine/@number"> · <xsl:call-template name="t"><xsl:with-param name="id" select="'my-number'"/></xsl:call-template>: <strong><xsl:value-of select="$mine/@number"/></strong></xsl:if></p>
    <xsl:apply-templates select="e:duties"/>
    <section aria-labelledby="h-live" class="live" id="live" data-sale="{@id}">
      <h2 id="h-live"><xsl:call-template name="t"><xsl:with-param name="id" select="'live'"/></xsl:call-template></h2>
      <dl class="board">
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'current'"/></xsl:call-template></dt>
        <dd class="num big" id="price-current"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="$s/e:price/@current"/></xsl:call-template></dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'minimum'"/></xsl:call-template></dt>
        <dd class="num big" id="price-minimum"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="$s/e:price/@minimum"/></xsl:call-template></dd>
        <xsl:choose>
          <xsl:when test="$s/e:auction/@ends">
            <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'ends'"/></xsl:call-template></dt>
            <dd class="countdown big" id="ends" data-until="{$s/e:auction/@ends}"><xsl:call-template name="when"><xsl:with-param name="at" select="$s/e:auction/@ends"/></xsl:call-template></dd>
          </xsl:when>
          <xsl:when test="$s/e:terms/@listing-end">
            <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'listing-end'"/></xsl:call-template></dt>
            <dd class="countdown" id="ends" data-until="{$s/e:terms/@listing-end}"><xsl:call-template name="when"><xsl:with-param name="at" select="$s/e:terms/@listing-end"/></xsl:call-template></dd>
          </xsl:when>
        </xsl:choose>
      </dl>
      <xsl:if test="$me/@role = 'buyer' or $me/@role = 'bidder'">
        <form method="post" action="/s/{@id}/bid{$q}" id="sale-bid" class="amount-form">
          <input type="hidden" name="kind" value="{substring('quotebid', 1 + 5 * ($s/@state != 'listing'), 5 - 2 * ($s/@state != 'listing'))}"/>
          <p><label for="amount"><xsl:call-template name="t"><xsl:with-param name="id" select="'amount'"/></xsl:call-template></label>
            <input id="amount" name="amount" inputmode="decimal" required="required" autocomplete="off" aria-describedby="amount-words"/>
            <output id="amount-words" for="amount" class="daxie"></output></p>
          <p><button type="submit">
            <xsl:call-template name="t"><xsl:with-param name="id" select="substring('make-quotemake-bid', 1 + 10 * ($s/@state != 'listing'), 10 - 2 * ($s/@state != 'listing'))"/></xsl:call-template>
          </button></p>
        </form>
      </xsl:if>
    </section>
    <section aria-labelledby="h-history">
      <h2 id="h-history"><xsl:call-template name="t"><xsl:with-param name="id" select="'history'"/></xsl:call-template></h2>
      <table id="history">
        <thead><tr>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'time'"/></xsl:call-template></th>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'number'"/></xsl:call-template></th>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></th>
        </tr></thead>
        <tbody>
          <xsl:for-each select="$s/e:history/*">
            <xsl:sort select="position()" data-type="number" order="descending"/>
            <tr><td><xsl:call-template name="when"><xsl:with-param name="at" select="@time"/></xsl:call-template></td>
              <td><xsl:value-of select="@number"/></td>
              <td class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="@amount"/></xsl:call-template></td></tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>
  </xsl:template>

  <!-- an amount to confirm, in figures and in 大写 -->
  <xsl:template match="e:confirm">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'confirm'"/></xsl:call-template></h1>
    <dl class="board">
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'amount'"/></xsl:call-template></dt>
      <dd class="num big" id="confirm-yuan"><xsl:value-of select="@yuan"/></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'in-words'"/></xsl:call-template></dt>
      <dd class="daxie big" id="confirm-daxie"><xsl:call-template name="t"><xsl:with-param name="id" select="'rmb'"/></xsl:call-template><xsl:value-of select="@daxie"/></dd>
    </dl>
    <p><xsl:call-template name="t"><xsl:with-param name="id" select="'confirm-help'"/></xsl:call-template></p>
    <form method="post" action="/s/{@sale}/bid{$q}" id="confirm-form">
      <input type="hidden" name="amount" value="{@yuan}"/>
      <input type="hidden" name="kind" value="{@kind}"/>
      <input type="hidden" name="confirm" value="yes"/>
      <button type="submit"><xsl:call-template name="t"><xsl:with-param name="id" select="'confirm-yes'"/></xsl:call-template></button>
      <xsl:text> </xsl:text>
      <a href="/s/{@sale}{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'cancel'"/></xsl:call-template></a>
    </form>
  </xsl:template>
  <!-- ====================================== the registers (docs/registries.md) -->
  <!-- a trading subject: its record and integrity record, as the server
       shows it to this party -->
  <xsl:template match="e:desk[@kind = 'subject']">
    <xsl:variable name="o" select="e:subject"/>
    <h1><xsl:value-of select="$o/@name"/></h1>
    <dl class="facts">
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'subject-id'"/></xsl:call-template></dt><dd><xsl:value-of select="$o/@id"/></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'credit-code'"/></xsl:call-template></dt><dd><code><xsl:value-of select="$o/@code"/></code></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></dt><dd><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="$o/@status"/></xsl:call-template></dd>
    </dl>
    <section aria-labelledby="h-qual">
      <h2 id="h-qual"><xsl:call-template name="t"><xsl:with-param name="id" select="'qualifications'"/></xsl:call-template></h2>
      <table>
        <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'qual-kind'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'grade'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'valid'"/></xsl:call-template></th></tr></thead>
        <tbody>
          <xsl:for-each select="$o/e:qualification">
            <tr><td><xsl:value-of select="@kind"/></td><td><xsl:value-of select="@grade"/></td>
              <td><xsl:call-template name="when"><xsl:with-param name="at" select="@from"/></xsl:call-template> – <xsl:call-template name="when"><xsl:with-param name="at" select="@to"/></xsl:call-template></td></tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>
    <section aria-labelledby="h-reps">
      <h2 id="h-reps"><xsl:call-template name="t"><xsl:with-param name="id" select="'representatives'"/></xsl:call-template></h2>
      <table>
        <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'party'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'scope'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'valid'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th></tr></thead>
        <tbody>
          <xsl:for-each select="$o/e:representative">
            <tr><td><xsl:value-of select="@party"/></td><td><xsl:value-of select="@scope"/></td>
              <td><xsl:call-template name="when"><xsl:with-param name="at" select="@from"/></xsl:call-template> – <xsl:call-template name="when"><xsl:with-param name="at" select="@to"/></xsl:call-template></td>
              <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="@status"/></xsl:call-template></td></tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>
    <section aria-labelledby="h-findings">
      <h2 id="h-findings"><xsl:call-template name="t"><xsl:with-param name="id" select="'integrity-record'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="$o/e:finding">
          <table>
            <thead><tr><th scope="col">#</th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'finding-kind'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'sanction'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'valid'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th></tr></thead>
            <tbody>
              <xsl:for-each select="$o/e:finding">
                <tr class="finding finding-{@status}"><td><xsl:value-of select="@no"/></td><td><xsl:value-of select="@kind"/></td>
                  <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="@sanction"/></xsl:call-template></td>
                  <td><xsl:call-template name="when"><xsl:with-param name="at" select="@from"/></xsl:call-template> – <xsl:call-template name="when"><xsl:with-param name="at" select="@to"/></xsl:call-template></td>
                  <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="@status"/></xsl:call-template></td></tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- the expert pool: the centre's criteria; an expert its own ratings,
       the officers every expert's; the supervisor rates a seated expert;
       the agencies' ratings (the officers all, a representative its
       agency's), per tender and per year; the tenderer or the supervisor
       rates the agency of a closed tender -->
  <xsl:template match="e:desk[@kind = 'pool']">
    <xsl:variable name="p" select="e:pool"/>
    <xsl:variable name="d" select="."/>
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'pool-desk'"/></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="$p/@id"/></h1>
    <section aria-labelledby="h-criteria">
      <h2 id="h-criteria"><xsl:call-template name="t"><xsl:with-param name="id" select="'criteria'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="$p/e:assessment">
          <ul>
            <xsl:for-each select="$p/e:assessment/e:criterion"><li><xsl:call-template name="tok"><xsl:with-param name="k" select="'crit'"/><xsl:with-param name="v" select="@name"/></xsl:call-template> (0–<xsl:value-of select="@max"/>)</li></xsl:for-each>
          </ul>
          <xsl:if test="$p/e:assessment/e:agency-criterion">
            <p class="agency-criteria"><xsl:call-template name="t"><xsl:with-param name="id" select="'agency-criteria'"/></xsl:call-template>:</p>
            <ul class="agency-criteria">
              <xsl:for-each select="$p/e:assessment/e:agency-criterion"><li><xsl:call-template name="tok"><xsl:with-param name="k" select="'crit'"/><xsl:with-param name="v" select="@name"/></xsl:call-template> (0–<xsl:value-of select="@max"/>)</li></xsl:for-each>
            </ul>
          </xsl:if>
          <xsl:for-each select="$p/e:assessment/e:draw-rule">
            <p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'draw-rule'"/></xsl:call-template>:
              <xsl:value-of select="@period-days"/> d, &lt; <xsl:value-of select="@min-percent"/> %, &gt; <xsl:value-of select="@max-unexplained"/></p>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
    <section aria-labelledby="h-ratings">
      <h2 id="h-ratings"><xsl:call-template name="t"><xsl:with-param name="id" select="'ratings'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="$p/e:expert/e:rating">
          <table class="ratings">
            <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'expert'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rating-score'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'unexplained'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rated-at'"/></xsl:call-template></th></tr></thead>
            <tbody>
              <xsl:for-each select="$p/e:expert/e:rating">
                <tr class="rating"><td><xsl:value-of select="../@name"/></td><td><xsl:value-of select="@tender"/></td>
                  <td class="num"><xsl:value-of select="format-number(@score div 100, '0.00')"/> %</td>
                  <td class="num"><xsl:value-of select="@unexplained"/> / <xsl:value-of select="@deviations"/></td>
                  <td><xsl:call-template name="when"><xsl:with-param name="at" select="@at"/></xsl:call-template></td></tr>
              </xsl:for-each>
            </tbody>
          </table>
          <xsl:for-each select="$p/e:expert/e:period">
            <p class="period"><xsl:value-of select="../@name"/> · <xsl:value-of select="@year"/>: <xsl:value-of select="@ratings"/> × , <xsl:value-of select="format-number(@score div 100, '0.00')"/> %, <xsl:value-of select="@unexplained"/></p>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
    <xsl:if test="$p/e:agency">
      <section aria-labelledby="h-agency-ratings">
        <h2 id="h-agency-ratings"><xsl:call-template name="t"><xsl:with-param name="id" select="'agency-ratings'"/></xsl:call-template></h2>
        <table class="ratings agency-ratings">
          <thead><tr><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'agency'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rater'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rating-score'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'criterion'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'remark'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rated-at'"/></xsl:call-template></th></tr></thead>
          <tbody>
            <xsl:for-each select="$p/e:agency/e:rating">
              <tr class="agency-rating"><td><xsl:value-of select="../@name"/> (<xsl:value-of select="../@subject"/>)</td><td><xsl:value-of select="@tender"/></td>
                <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'role'"/><xsl:with-param name="v" select="@rater-role"/></xsl:call-template> (<xsl:value-of select="@rater"/>)</td>
                <td class="num"><xsl:value-of select="format-number(@score div 100, '0.00')"/> %</td>
                <td><xsl:for-each select="e:score"><xsl:if test="position() &gt; 1">, </xsl:if><xsl:call-template name="tok"><xsl:with-param name="k" select="'crit'"/><xsl:with-param name="v" select="@criterion"/></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="@value"/></xsl:for-each></td>
                <td><xsl:value-of select="e:text"/></td>
                <td><xsl:call-template name="when"><xsl:with-param name="at" select="@at"/></xsl:call-template></td></tr>
            </xsl:for-each>
          </tbody>
        </table>
        <xsl:for-each select="$p/e:agency/e:period">
          <p class="agency-period"><xsl:value-of select="../@name"/> · <xsl:value-of select="@year"/>: <xsl:value-of select="@ratings"/> × , <xsl:value-of select="format-number(@score div 100, '0.00')"/> %</p>
        </xsl:for-each>
      </section>
    </xsl:if>
    <xsl:if test="($me/@role = 'supervisor' or $me/@role = 'tenderer') and $p/e:assessment/e:agency-criterion">
      <form method="post" action="/p/{$d/@id}/do{$q}" class="duty" aria-labelledby="h-rate-agency">
        <h2 id="h-rate-agency"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'rate-agency'"/></xsl:call-template></h2>
        <input type="hidden" name="cmd" value="rate-agency"/>
        <p class="hint"><xsl:call-template name="t"><xsl:with-param name="id" select="'rate-agency-help'"/></xsl:call-template></p>
        <p><label for="rate-agency-job"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></label>
          <input id="rate-agency-job" name="a.job" required="required" pattern="[A-Za-z0-9_.\-]+"/></p>
        <xsl:for-each select="$p/e:assessment/e:agency-criterion">
          <p><label for="rate-agency-s-{@name}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'crit'"/><xsl:with-param name="v" select="@name"/></xsl:call-template> (0–<xsl:value-of select="@max"/>)</label>
            <input id="rate-agency-s-{@name}" name="s.{@name}" inputmode="numeric" size="3" required="required"/></p>
        </xsl:for-each>
        <p><label for="rate-agency-remark"><xsl:call-template name="t"><xsl:with-param name="id" select="'remark'"/></xsl:call-template></label>
          <input id="rate-agency-remark" name="remark" size="60"/></p>
        <p><button type="submit"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'rate-agency'"/></xsl:call-template></button></p>
      </form>
    </xsl:if>
    <xsl:if test="$me/@role = 'supervisor' and $p/e:assessment">
      <form method="post" action="/p/{$d/@id}/do{$q}" class="duty" aria-labelledby="h-rate">
        <h2 id="h-rate"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'rate-expert'"/></xsl:call-template></h2>
        <input type="hidden" name="cmd" value="rate-expert"/>
        <p><label for="rate-job"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></label>
          <input id="rate-job" name="a.job" required="required" pattern="[A-Za-z0-9_.\-]+"/></p>
        <p><label for="rate-expert"><xsl:call-template name="t"><xsl:with-param name="id" select="'expert'"/></xsl:call-template></label>
          <select id="rate-expert" name="a.expert">
            <xsl:for-each select="$p/e:expert"><option value="{@party}"><xsl:value-of select="@name"/> (<xsl:value-of select="@party"/>)</option></xsl:for-each>
          </select></p>
        <xsl:for-each select="$p/e:assessment/e:criterion">
          <p><label for="rate-s-{@name}"><xsl:call-template name="tok"><xsl:with-param name="k" select="'crit'"/><xsl:with-param name="v" select="@name"/></xsl:call-template> (0–<xsl:value-of select="@max"/>)</label>
            <input id="rate-s-{@name}" name="s.{@name}" inputmode="numeric" size="3" required="required"/></p>
        </xsl:for-each>
        <p><label for="rate-unexplained"><xsl:call-template name="t"><xsl:with-param name="id" select="'unexplained'"/></xsl:call-template></label>
          <input id="rate-unexplained" name="a.unexplained" inputmode="numeric" size="3"/></p>
        <p><label for="rate-remark"><xsl:call-template name="t"><xsl:with-param name="id" select="'remark'"/></xsl:call-template></label>
          <input id="rate-remark" name="remark" size="60"/></p>
        <p><button type="submit"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'rate-expert'"/></xsl:call-template></button></p>
      </form>
    </xsl:if>
  </xsl:template>

  <!-- an alert in words: on the Chinese page the sentence of its kind
       (strings.xml alert-text:KIND, each {name} the alert's figure
       attribute, instants in Beijing time) when the alert carries its
       figures (rules version 3 on, monitor.c); the English page, and an
       alert logged before with its detail only, show the engine's
       English detail.  The detail stays in title= either way. -->
  <xsl:template name="alert-sentence">
    <xsl:variable name="s" select="key('s', concat('alert-text:', @kind))/@zh"/>
    <xsl:choose>
      <xsl:when test="$lang != 'en' and $s and (@days or @party)">
        <span title="{@detail}" lang="zh-CN"><xsl:call-template name="alert-fill"><xsl:with-param name="text" select="string($s)"/><xsl:with-param name="a" select="."/></xsl:call-template></span>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="@detail"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 'text' with each {name} replaced by attribute name of 'a' -->
  <xsl:template name="alert-fill">
    <xsl:param name="text"/>
    <xsl:param name="a"/>
    <xsl:choose>
      <xsl:when test="contains($text, '{') and contains(substring-after($text, '{'), '}')">
        <xsl:variable name="n" select="substring-before(substring-after($text, '{'), '}')"/>
        <xsl:variable name="v" select="$a/@*[local-name() = $n]"/>
        <xsl:value-of select="substring-before($text, '{')"/>
        <xsl:choose>
          <xsl:when test="$n = 'authorised-until' or $n = 'opening'"><xsl:call-template name="when"><xsl:with-param name="at" select="$v"/></xsl:call-template></xsl:when>
          <xsl:when test="$n = 'party' or $n = 'other-party'"><span class="party"><xsl:value-of select="$v"/></span></xsl:when>
          <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="alert-fill"><xsl:with-param name="text" select="substring-after(substring-after($text, '{'), '}')"/><xsl:with-param name="a" select="$a"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- one rule of the monitor (the context attribute): label, figure, unit -->
  <xsl:template name="monitor-rule">
    <dt><xsl:call-template name="t"><xsl:with-param name="id" select="concat('monitor-rule-', local-name())"/></xsl:call-template></dt>
    <dd><xsl:choose>
        <xsl:when test="local-name() = 'subnet-bits'">/<xsl:value-of select="."/></xsl:when>
        <xsl:otherwise><xsl:value-of select="."/><xsl:text> </xsl:text><xsl:call-template name="t"><xsl:with-param name="id" select="'unit-days'"/></xsl:call-template></xsl:otherwise>
      </xsl:choose></dd>
  </xsl:template>

  <!-- the process monitor: the supervisor's alerts, each open one with
       the form that closes it with a reason -->
  <xsl:template match="e:desk[@kind = 'monitor']">
    <xsl:variable name="m" select="e:monitor"/>
    <xsl:variable name="d" select="."/>
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'monitor-desk'"/></xsl:call-template><xsl:text> </xsl:text><xsl:value-of select="$m/@id"/></h1>
    <!-- the monitor's rules, each figure beside its label and unit -->
    <p class="hint" id="h-monitor-rules"><xsl:call-template name="t"><xsl:with-param name="id" select="'monitor-rules-h'"/></xsl:call-template></p>
    <dl class="monitor-rules" aria-labelledby="h-monitor-rules">
      <xsl:for-each select="$m/@min-bidding-days"><xsl:call-template name="monitor-rule"/></xsl:for-each>
      <xsl:for-each select="$m/@notice-days"><xsl:call-template name="monitor-rule"/></xsl:for-each>
      <xsl:for-each select="$m/@subnet-bits"><xsl:call-template name="monitor-rule"/></xsl:for-each>
      <xsl:for-each select="$m/@award-margin-days"><xsl:call-template name="monitor-rule"/></xsl:for-each>
    </dl>
    <section aria-labelledby="h-alerts">
      <h2 id="h-alerts"><xsl:call-template name="t"><xsl:with-param name="id" select="'monitor-alerts'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="$m/e:alert">
          <table class="alerts">
            <thead><tr><th scope="col">#</th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'alert-kind'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'detail'"/></xsl:call-template></th><th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th></tr></thead>
            <tbody>
              <xsl:for-each select="$m/e:alert">
                <tr class="alert alert-{@status}"><td><xsl:value-of select="@no"/></td>
                  <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'alert'"/><xsl:with-param name="v" select="@kind"/></xsl:call-template></td>
                  <td><a href="/t/{@tender}{$q}"><xsl:value-of select="@tender"/></a></td>
                  <td class="alert-detail"><xsl:call-template name="alert-sentence"/></td>
                  <td><xsl:call-template name="tok"><xsl:with-param name="k" select="'st'"/><xsl:with-param name="v" select="@status"/></xsl:call-template>
                    <xsl:if test="e:reason"><br/><xsl:value-of select="@by"/>: <xsl:value-of select="e:reason"/></xsl:if>
                    <xsl:if test="@status = 'open' and $me/@role = 'supervisor'">
                      <form method="post" action="/m/{$d/@id}/do{$q}" class="close-alert">
                        <input type="hidden" name="cmd" value="close-alert"/>
                        <input type="hidden" name="a.alert" value="{@no}"/>
                        <label for="close-{@no}"><xsl:call-template name="t"><xsl:with-param name="id" select="'close-reason'"/></xsl:call-template></label>
                        <input id="close-{@no}" name="c.reason" required="required" size="40"/>
                        <button type="submit"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'close-alert'"/></xsl:call-template></button>
                      </form>
                    </xsl:if></td></tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
    <xsl:if test="$me/@role = 'supervisor'">
      <form method="post" action="/m/{$d/@id}/do{$q}" class="duty" aria-labelledby="h-check">
        <h2 id="h-check"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'check-tender'"/></xsl:call-template></h2>
        <input type="hidden" name="cmd" value="check-tender"/>
        <p><label for="check-job"><xsl:call-template name="t"><xsl:with-param name="id" select="'tender'"/></xsl:call-template></label>
          <input id="check-job" name="a.job" required="required" pattern="[A-Za-z0-9_.\-]+"/>
          <button type="submit"><xsl:call-template name="tok"><xsl:with-param name="k" select="'cmd'"/><xsl:with-param name="v" select="'check-tender'"/></xsl:call-template></button></p>
      </form>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
