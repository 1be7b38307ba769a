<?xml version="1.0" encoding="UTF-8"?>
<!--
  engine/server/pages/board.xsl
     The public board's pages (engine/server/board.c), XSLT 1.0 run by
     libxslt.  Input: <page lang= now= path=><strings/>CONTENT</page> where
     CONTENT is the core's public view of a tender or a sale, the board's
     list, the signed heads, or a problem.  Only the fields named here are
     shown: a field is public when the view gives it AND this page shows it.
     Never shown: who did what (by=, person=, role= of the records), party
     ids of sale bidders, sealed shares, commitments of bids.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:e="urn:ebid:1" xmlns:ebf="urn:ebid:pagefn"
    exclude-result-prefixes="e ebf">
  <xsl:output method="html" encoding="UTF-8" indent="no"/>
  <xsl:param name="lang" select="'zh'"/>
  <xsl:key name="s" match="e:strings/e:s" use="@id"/>
  <!-- who a bidder is (read aloud at the opening): the trading subject it
       signed up for (its registered name, read by board.c into <names>),
       else its organisation -->
  <xsl:key name="bidder-result" match="e:opening-record/e:bid-result/e:signed-up-as" use="../@bidder"/>
  <xsl:key name="subject-name" match="e:names/e:subject-name" use="@id"/>
  <xsl:variable name="q">
    <xsl:if test="$lang = 'en'">?lang=en</xsl:if>
  </xsl:variable>

  <!-- a label -->
  <xsl:template name="t">
    <xsl:param name="id"/>
    <xsl:variable name="s" select="key('s', $id)"/>
    <xsl:choose>
      <xsl:when test="$lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s/@zh"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- fen (an integer string) as yuan with grouping: 600000000 -> 6,000,000.00 -->
  <xsl:template name="yuan">
    <xsl:param name="fen"/>
    <xsl:variable name="neg" select="starts-with($fen, '-')"/>
    <xsl:variable name="f" select="translate($fen, '-', '')"/>
    <xsl:variable name="p" select="concat(substring('000', 1, 3 - string-length($f)), $f)"/>
    <xsl:if test="$neg">-</xsl:if>
    <xsl:value-of select="format-number(substring($p, 1, string-length($p) - 2), '#,##0')"/>
    <xsl:text>.</xsl:text>
    <xsl:value-of select="substring($p, string-length($p) - 1)"/>
  </xsl:template>

  <!-- a bidder as people read it: its trading subject's registered name,
       else its organisation as it signed up, else its party id (title=) -->
  <xsl:template name="bidder">
    <xsl:param name="b"/>
    <xsl:variable name="r" select="key('bidder-result', $b)[1]"/>
    <xsl:variable name="sn" select="key('subject-name', $r/@subject)[1]/@name"/>
    <span class="bidder" title="{$b}"><xsl:choose>
      <xsl:when test="$sn"><xsl:value-of select="$sn"/></xsl:when>
      <xsl:when test="$r/@org"><xsl:value-of select="$r/@org"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$b"/></xsl:otherwise>
    </xsl:choose></span>
  </xsl:template>

  <!-- why a bid is invalid at the opening: its label (cause: in
       strings.xml) and the token itself, both shown -->
  <!-- an item the tender itself names (a required section, declaration
       or document, another tender's id): an identifier of the tender's
       documents, not prose: quoted as such after the Chinese label -->
  <xsl:template name="named-item">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="$lang = 'en'">: <code class="item"><xsl:value-of select="$v"/></code></xsl:when>
      <xsl:otherwise>「<code class="item"><xsl:value-of select="$v"/></code>」</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="reason">
    <xsl:param name="v"/>
    <xsl:param name="prefix" select="'cause:'"/>
    <xsl:variable name="s" select="key('s', concat($prefix, $v))"/>
    <span class="why" data-token="{$v}"><xsl:if test="$s"><xsl:choose><xsl:when test="$lang = 'en'"><xsl:value-of select="$s/@en"/></xsl:when><xsl:otherwise><xsl:value-of select="$s/@zh"/></xsl:otherwise></xsl:choose><xsl:text> </xsl:text></xsl:if><small class="token">(<xsl:value-of select="$v"/>)</small></span>
  </xsl:template>

  <!-- the amount also in capital numerals (人民币大写) on the Chinese
       page: ebf:daxie is protocol/pagefn.c's, the console's too -->
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
       (2027-01-06 17:23:35 北京时间, ebf:beijing), 2027-01-06 09:23:35 UTC
       on the English one; the exact instant stays in datetime= -->
  <xsl:template name="when">
    <xsl:param name="at"/>
    <xsl:variable name="bj"><xsl:if test="$lang != 'en' and function-available('ebf:beijing')"><xsl:value-of select="ebf:beijing(string($at))"/></xsl:if></xsl:variable>
    <time datetime="{$at}"><xsl:choose>
      <xsl:when test="string($bj) != ''"><xsl:value-of select="concat($bj, ' 北京时间')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="concat(substring($at, 1, 10), ' ', substring($at, 12, 8), ' UTC')"/></xsl:otherwise>
    </xsl:choose></time>
  </xsl:template>

  <xsl:template name="state">
    <xsl:param name="s"/>
    <xsl:variable name="l">
      <xsl:call-template name="t"><xsl:with-param name="id" select="concat('state-', $s)"/></xsl:call-template>
    </xsl:variable>
    <span class="state state-{$s}">
      <xsl:choose>
        <xsl:when test="string($l) != ''"><xsl:value-of select="$l"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </span>
  </xsl:template>

  <!-- the layout -->
  <xsl:template match="/e:page">
    <html lang="{substring('zh-CNen', 1 + 5 * ($lang = 'en'), 5 - 3 * ($lang = 'en'))}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:apply-templates select="*[not(self::e:strings)]" mode="title"/>
          <xsl:text> · </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="id" select="'site'"/></xsl:call-template>
        </title>
        <link rel="stylesheet" href="/static/board.css"/>
      </head>
      <body>
        <header>
          <p class="site"><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'site'"/></xsl:call-template></a></p>
          <nav>
            <ul>
              <li><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'board'"/></xsl:call-template></a></li>
              <li><a href="/heads{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'heads'"/></xsl:call-template></a></li>
              <li><a href="/sanctions{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'sanctions'"/></xsl:call-template></a></li>
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
          <xsl:apply-templates select="*[not(self::e:strings)]"/>
        </main>
        <footer>
          <p><xsl:call-template name="t"><xsl:with-param name="id" select="'now'"/></xsl:call-template>:
            <xsl:call-template name="when"><xsl:with-param name="at" select="@now"/></xsl:call-template></p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <!-- titles -->
  <xsl:template match="e:board" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'board'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:sanctions" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'sanctions'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:heads" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'heads'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:problem" mode="title"><xsl:call-template name="t"><xsl:with-param name="id" select="'error'"/></xsl:call-template></xsl:template>
  <xsl:template match="e:tender" mode="title"><xsl:value-of select="e:registration/e:title"/></xsl:template>
  <xsl:template match="e:sale" mode="title"><xsl:value-of select="e:asset"/></xsl:template>

  <!-- ================================================= the list -->
  <xsl:template match="e:board">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'board'"/></xsl:call-template></h1>
    <section aria-labelledby="h-tenders">
      <h2 id="h-tenders"><xsl:call-template name="t"><xsl:with-param name="id" select="'tenders'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="e:entry/e:tender">
          <table class="list">
            <thead><tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'id'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'title'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'deadline'"/></xsl:call-template></th>
            </tr></thead>
            <tbody>
              <xsl:for-each select="e:entry/e:tender">
                <tr>
                  <td><a href="/tenders/{@id}{$q}"><xsl:value-of select="@id"/></a></td>
                  <td><a href="/tenders/{@id}{$q}"><xsl:value-of select="e:registration/e:title"/></a></td>
                  <td><xsl:call-template name="state"><xsl:with-param name="s" select="@state"/></xsl:call-template></td>
                  <td><xsl:call-template name="when"><xsl:with-param name="at" select="e:registration/e:bid-deadline/@at"/></xsl:call-template></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
    <section aria-labelledby="h-sales">
      <h2 id="h-sales"><xsl:call-template name="t"><xsl:with-param name="id" select="'sales'"/></xsl:call-template></h2>
      <xsl:choose>
        <xsl:when test="e:entry/e:sale">
          <table class="list">
            <thead><tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'id'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'asset'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th>
              <th scope="col" class="num"><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></th>
            </tr></thead>
            <tbody>
              <xsl:for-each select="e:entry/e:sale">
                <tr>
                  <td><a href="/sales/{@id}{$q}"><xsl:value-of select="@id"/></a></td>
                  <td><a href="/sales/{@id}{$q}"><xsl:value-of select="e:asset"/></a></td>
                  <td><xsl:call-template name="state"><xsl:with-param name="s" select="@state"/></xsl:call-template></td>
                  <td class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:price/@current"/></xsl:call-template></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <!-- ================================================= a tender -->
  <xsl:template match="e:tender">
    <xsl:variable name="r" select="e:registration"/>
    <h1><xsl:value-of select="$r/e:title"/></h1>
    <dl class="facts">
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'id'"/></xsl:call-template></dt>
      <dd><xsl:value-of select="@id"/></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></dt>
      <dd><xsl:call-template name="state"><xsl:with-param name="s" select="@state"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'tenderer'"/></xsl:call-template></dt>
      <dd><xsl:value-of select="$r/@tenderer-org"/></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'ceiling'"/></xsl:call-template></dt>
      <dd class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="$r/e:ceiling-price/@fen"/></xsl:call-template> 元<xsl:call-template name="daxie"><xsl:with-param name="fen" select="$r/e:ceiling-price/@fen"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'deadline'"/></xsl:call-template></dt>
      <dd><xsl:call-template name="when"><xsl:with-param name="at" select="$r/e:bid-deadline/@at"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'opening-time'"/></xsl:call-template></dt>
      <dd><xsl:call-template name="when"><xsl:with-param name="at" select="$r/e:opening-time/@at"/></xsl:call-template></dd>
    </dl>

    <section aria-labelledby="h-ann">
      <h2 id="h-ann"><xsl:call-template name="t"><xsl:with-param name="id" select="'announcement'"/></xsl:call-template></h2>
      <p class="meta"><xsl:call-template name="t"><xsl:with-param name="id" select="'published'"/></xsl:call-template>:
        <xsl:call-template name="when"><xsl:with-param name="at" select="e:announcement/@at"/></xsl:call-template></p>
      <xsl:for-each select="e:announcement/e:text"><p><xsl:value-of select="."/></p></xsl:for-each>
      <xsl:if test="$r/e:qualification/e:requirement">
        <h3><xsl:call-template name="t"><xsl:with-param name="id" select="'qualification'"/></xsl:call-template></h3>
        <ul><xsl:for-each select="$r/e:qualification/e:requirement"><li><xsl:value-of select="."/></li></xsl:for-each></ul>
      </xsl:if>
      <xsl:if test="$r/e:documents/e:document">
        <h3><xsl:call-template name="t"><xsl:with-param name="id" select="'documents'"/></xsl:call-template></h3>
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'document'"/></xsl:call-template></th>
            <th scope="col">SHA-256</th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="$r/e:documents/e:document">
              <tr><td><xsl:value-of select="@name"/></td><td class="hash"><xsl:value-of select="@sha256"/></td></tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:if>
    </section>

    <xsl:if test="e:notices/*">
      <section aria-labelledby="h-notices">
        <h2 id="h-notices"><xsl:call-template name="t"><xsl:with-param name="id" select="'notices'"/></xsl:call-template></h2>
        <ol class="notices">
          <xsl:for-each select="e:notices/*">
            <li>
              <p class="meta"><xsl:call-template name="when"><xsl:with-param name="at" select="@at"/></xsl:call-template>
                <xsl:if test="@bid-deadline"> · <xsl:call-template name="t"><xsl:with-param name="id" select="'deadline'"/></xsl:call-template>:
                  <xsl:call-template name="when"><xsl:with-param name="at" select="@bid-deadline"/></xsl:call-template></xsl:if></p>
              <xsl:for-each select="e:text"><p><xsl:value-of select="."/></p></xsl:for-each>
            </li>
          </xsl:for-each>
        </ol>
      </section>
    </xsl:if>

    <xsl:if test="e:deadline-reached">
      <section aria-labelledby="h-deadline">
        <h2 id="h-deadline"><xsl:call-template name="t"><xsl:with-param name="id" select="'deadline-passed'"/></xsl:call-template></h2>
        <p><xsl:call-template name="when"><xsl:with-param name="at" select="e:deadline-reached/@at"/></xsl:call-template>
          <xsl:if test="e:deadline-reached/@bids"> · <xsl:call-template name="t"><xsl:with-param name="id" select="'bids-received'"/></xsl:call-template>:
            <xsl:value-of select="e:deadline-reached/@bids"/></xsl:if></p>
      </section>
    </xsl:if>

    <xsl:if test="e:opening-record">
      <section aria-labelledby="h-opening">
        <h2 id="h-opening"><xsl:call-template name="t"><xsl:with-param name="id" select="'opening-record'"/></xsl:call-template></h2>
        <p class="meta"><xsl:call-template name="when"><xsl:with-param name="at" select="e:opening-record/@at"/></xsl:call-template></p>
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></th>
            <th scope="col" class="num"><xsl:call-template name="t"><xsl:with-param name="id" select="'total-price'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'cause'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="e:opening-record/e:bid-result">
              <tr>
                <td><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></td>
                <td><xsl:call-template name="t"><xsl:with-param name="id" select="@status"/></xsl:call-template></td>
                <td class="num"><xsl:if test="@total-price"><xsl:call-template name="money"><xsl:with-param name="fen" select="@total-price"/></xsl:call-template></xsl:if></td>
                <td class="cause"><xsl:if test="@cause"><xsl:call-template name="reason"><xsl:with-param name="v" select="@cause"/></xsl:call-template></xsl:if></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </section>
    </xsl:if>

    <xsl:if test="e:publicity and e:result">
      <section aria-labelledby="h-cand">
        <h2 id="h-cand"><xsl:call-template name="t"><xsl:with-param name="id" select="'candidates'"/></xsl:call-template></h2>
        <p class="deadline"><xsl:call-template name="t"><xsl:with-param name="id" select="'objection-until'"/></xsl:call-template>:
          <xsl:call-template name="when"><xsl:with-param name="at" select="e:publicity/@end"/></xsl:call-template></p>
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'rank'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="e:result/e:candidate">
              <tr><td><xsl:value-of select="@rank"/></td><td><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></td></tr>
            </xsl:for-each>
          </tbody>
        </table>
        <xsl:if test="e:committee/e:member[@status = 'accepted']">
          <h3><xsl:call-template name="t"><xsl:with-param name="id" select="'committee'"/></xsl:call-template></h3>
          <ul>
            <xsl:for-each select="e:committee/e:member[@status = 'accepted']">
              <li><xsl:value-of select="@name"/></li>
            </xsl:for-each>
          </ul>
        </xsl:if>
      </section>
    </xsl:if>

    <!-- the bids found invalid after the opening and why (否决投标情况,
         实施条例 Art. 54): the view gives them once the candidates are
         published; the ground as its label (rule: in strings.xml) and
         its token, the bidder by name -->
    <xsl:if test="e:rejected-bids">
      <section aria-labelledby="h-rejected" id="rejected-bids">
        <h2 id="h-rejected"><xsl:call-template name="t"><xsl:with-param name="id" select="'rejected-bids'"/></xsl:call-template></h2>
        <xsl:choose>
          <xsl:when test="e:rejected-bids/e:rejected">
            <table>
              <thead><tr>
                <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'bidder'"/></xsl:call-template></th>
                <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'stage'"/></xsl:call-template></th>
                <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'reason'"/></xsl:call-template></th>
              </tr></thead>
              <tbody>
                <xsl:for-each select="e:rejected-bids/e:rejected">
                  <tr>
                    <td><xsl:call-template name="bidder"><xsl:with-param name="b" select="@bidder"/></xsl:call-template></td>
                    <td><xsl:call-template name="t"><xsl:with-param name="id" select="concat('rejected-', @stage)"/></xsl:call-template><xsl:if test="@lot"> · <xsl:value-of select="@lot"/></xsl:if></td>
                    <td class="cause"><xsl:call-template name="reason"><xsl:with-param name="v" select="@rule"/><xsl:with-param name="prefix" select="'rule:'"/></xsl:call-template><xsl:if test="@kind"> · <xsl:call-template name="t"><xsl:with-param name="id" select="concat('kind:', @kind)"/></xsl:call-template><xsl:if test="@item"><xsl:call-template name="named-item"><xsl:with-param name="v" select="@item"/></xsl:call-template></xsl:if></xsl:if><xsl:if test="@reason"> · <small class="token"><xsl:value-of select="@reason"/></small></xsl:if></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </xsl:when>
          <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'rejected-none'"/></xsl:call-template></p></xsl:otherwise>
        </xsl:choose>
      </section>
    </xsl:if>

    <xsl:if test="e:verification-record">
      <section aria-labelledby="h-ver">
        <h2 id="h-ver"><xsl:call-template name="t"><xsl:with-param name="id" select="'verification'"/></xsl:call-template></h2>
        <p class="meta"><xsl:call-template name="when"><xsl:with-param name="at" select="e:verification-record/@at"/></xsl:call-template></p>
        <xsl:for-each select="e:verification-record/e:opinion"><p><xsl:value-of select="."/></p></xsl:for-each>
      </section>
    </xsl:if>

    <xsl:if test="e:award">
      <section aria-labelledby="h-award">
        <h2 id="h-award"><xsl:call-template name="t"><xsl:with-param name="id" select="'award'"/></xsl:call-template></h2>
        <p><xsl:call-template name="t"><xsl:with-param name="id" select="'winner'"/></xsl:call-template>:
          <strong><xsl:call-template name="bidder"><xsl:with-param name="b" select="e:award/@bidder"/></xsl:call-template></strong> ·
          <xsl:call-template name="when"><xsl:with-param name="at" select="e:award/@at"/></xsl:call-template></p>
        <xsl:for-each select="e:award/e:justification"><p><xsl:value-of select="."/></p></xsl:for-each>
      </section>
    </xsl:if>

    <xsl:for-each select="e:failure | e:cancellation | e:suspension">
      <section>
        <h2><xsl:call-template name="t"><xsl:with-param name="id" select="local-name()"/></xsl:call-template></h2>
        <p class="meta"><xsl:call-template name="when"><xsl:with-param name="at" select="@at"/></xsl:call-template></p>
        <xsl:for-each select="e:reason | e:text"><p><xsl:value-of select="."/></p></xsl:for-each>
      </section>
    </xsl:for-each>
  </xsl:template>

  <!-- ================================================= a sale -->
  <xsl:template match="e:sale">
    <h1><xsl:value-of select="e:asset"/></h1>
    <dl class="facts">
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'id'"/></xsl:call-template></dt>
      <dd><xsl:value-of select="@id"/></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'starting-price'"/></xsl:call-template></dt>
      <dd class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:terms/@starting-price"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'increment'"/></xsl:call-template></dt>
      <dd class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:terms/@increment"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'deposit'"/></xsl:call-template></dt>
      <dd class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:terms/@deposit"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'listing'"/></xsl:call-template></dt>
      <dd><xsl:call-template name="when"><xsl:with-param name="at" select="e:terms/@listing-start"/></xsl:call-template> –
        <xsl:call-template name="when"><xsl:with-param name="at" select="e:terms/@listing-end"/></xsl:call-template></dd>
      <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'reserve'"/></xsl:call-template></dt>
      <dd>
        <xsl:choose>
          <xsl:when test="e:reserve/@fen"><xsl:call-template name="t"><xsl:with-param name="id" select="'reserve-revealed'"/></xsl:call-template>:
            <xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:reserve/@fen"/></xsl:call-template></xsl:when>
          <xsl:when test="e:reserve/@commitment"><xsl:call-template name="t"><xsl:with-param name="id" select="'reserve-committed'"/></xsl:call-template>:
            <span class="hash"><xsl:value-of select="e:reserve/@commitment"/></span></xsl:when>
        </xsl:choose>
      </dd>
    </dl>

    <section id="live" class="live" aria-live="polite" aria-labelledby="h-live"
        data-sale="{@id}" data-last="{count(e:history/*)}">
      <h2 id="h-live"><xsl:call-template name="t"><xsl:with-param name="id" select="'live'"/></xsl:call-template></h2>
      <dl class="facts big">
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'state'"/></xsl:call-template></dt>
        <dd id="live-state"><xsl:call-template name="state"><xsl:with-param name="s" select="@state"/></xsl:call-template></dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'price'"/></xsl:call-template></dt>
        <dd id="live-price" class="num price"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:price/@current"/></xsl:call-template></dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'minimum'"/></xsl:call-template></dt>
        <dd id="live-minimum" class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="e:price/@minimum"/></xsl:call-template></dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'round'"/></xsl:call-template></dt>
        <dd id="live-round"><xsl:value-of select="e:price/@accepted"/></dd>
        <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'leader'"/></xsl:call-template></dt>
        <dd id="live-leader"><xsl:if test="e:price/@leader != '0'"><xsl:value-of select="e:price/@leader"/></xsl:if></dd>
        <xsl:if test="e:auction/@ends and @state = 'auction'">
          <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'countdown-ends'"/></xsl:call-template></dt>
          <dd><xsl:call-template name="when"><xsl:with-param name="at" select="e:auction/@ends"/></xsl:call-template></dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="id" select="'countdown'"/></xsl:call-template></dt>
          <dd id="live-countdown" data-ends="{e:auction/@ends}" data-now="{/e:page/@now}"></dd>
        </xsl:if>
      </dl>
    </section>

    <xsl:if test="e:result">
      <section aria-labelledby="h-outcome">
        <h2 id="h-outcome"><xsl:call-template name="t"><xsl:with-param name="id" select="'outcome'"/></xsl:call-template></h2>
        <p><xsl:call-template name="t"><xsl:with-param name="id" select="e:result/@outcome"/></xsl:call-template>
          <xsl:if test="e:result/@outcome = 'sold'"> · <xsl:call-template name="t"><xsl:with-param name="id" select="'final-price'"/></xsl:call-template>:
            <xsl:call-template name="money"><xsl:with-param name="fen" select="e:result/@price"/></xsl:call-template> ·
            <xsl:call-template name="t"><xsl:with-param name="id" select="'number'"/></xsl:call-template>
            <xsl:text> </xsl:text><xsl:value-of select="e:result/@winner"/></xsl:if></p>
      </section>
    </xsl:if>

    <section aria-labelledby="h-history">
      <h2 id="h-history"><xsl:call-template name="t"><xsl:with-param name="id" select="'history'"/></xsl:call-template></h2>
      <table>
        <thead><tr>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'time'"/></xsl:call-template></th>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'kind'"/></xsl:call-template></th>
          <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'number'"/></xsl:call-template></th>
          <th scope="col" class="num"><xsl:call-template name="t"><xsl:with-param name="id" select="'amount'"/></xsl:call-template></th>
        </tr></thead>
        <tbody id="live-history">
          <xsl:for-each select="e:history/*">
            <xsl:sort select="position()" data-type="number" order="descending"/>
            <tr>
              <td><xsl:call-template name="when"><xsl:with-param name="at" select="@time"/></xsl:call-template></td>
              <td><xsl:call-template name="t"><xsl:with-param name="id" select="local-name()"/></xsl:call-template></td>
              <td><xsl:value-of select="@number"/></td>
              <td class="num"><xsl:call-template name="yuan"><xsl:with-param name="fen" select="@amount"/></xsl:call-template></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>
    <script src="/static/board.js"></script>
  </xsl:template>

  <!-- ================================================= signed heads -->
  <xsl:template match="e:heads">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'heads'"/></xsl:call-template></h1>
    <p><xsl:call-template name="t"><xsl:with-param name="id" select="'heads-note'"/></xsl:call-template></p>
    <table>
      <thead><tr>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'aggregate'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'seq'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'hash'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'written'"/></xsl:call-template></th>
      </tr></thead>
      <tbody>
        <xsl:for-each select="e:head">
          <tr>
            <td><a href="/heads/{@aggregate}{$q}"><xsl:value-of select="@aggregate"/></a></td>
            <td><xsl:value-of select="@seq"/></td>
            <td class="hash"><xsl:value-of select="@hash"/></td>
            <td><xsl:call-template name="when"><xsl:with-param name="at" select="@written"/></xsl:call-template></td>
          </tr>
          <xsl:if test="e:signature">
            <tr class="sig"><td colspan="4">
              <details><summary><xsl:call-template name="t"><xsl:with-param name="id" select="'signature'"/></xsl:call-template></summary>
                <pre><xsl:value-of select="e:signature"/></pre></details>
            </td></tr>
          </xsl:if>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <!-- ================================================= sanctions in force
       (board_sanctions.c: public fields only) -->
  <xsl:template match="e:sanctions">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'sanctions'"/></xsl:call-template></h1>
    <p><xsl:call-template name="t"><xsl:with-param name="id" select="'sanctions-note'"/></xsl:call-template></p>
    <xsl:choose>
      <xsl:when test="e:subject/e:finding">
        <table class="list">
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'subject'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'credit-code'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'sanction'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'finding-kind'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'period'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'finding-ref'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="id" select="'evidence'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="e:subject/e:finding">
              <tr>
                <td><xsl:value-of select="../@name"/></td>
                <td class="code"><xsl:value-of select="../@code"/></td>
                <td><xsl:call-template name="t"><xsl:with-param name="id" select="concat('sanction-', @sanction)"/></xsl:call-template></td>
                <td><xsl:value-of select="@kind"/></td>
                <td><xsl:call-template name="when"><xsl:with-param name="at" select="@from"/></xsl:call-template>
                  <xsl:text> – </xsl:text>
                  <xsl:call-template name="when"><xsl:with-param name="at" select="@to"/></xsl:call-template></td>
                <td><xsl:value-of select="../@subject"/>/<xsl:value-of select="@no"/></td>
                <td>
                  <xsl:for-each select="e:evidence">
                    <xsl:if test="position() > 1"><xsl:text>, </xsl:text></xsl:if>
                    <a href="/heads/{@aggregate}{$q}"><xsl:value-of select="@aggregate"/></a>
                    <xsl:text> #</xsl:text><xsl:value-of select="@seq"/>
                  </xsl:for-each>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:when>
      <xsl:otherwise><p><xsl:call-template name="t"><xsl:with-param name="id" select="'none'"/></xsl:call-template></p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ================================================= problems -->
  <xsl:template match="e:problem">
    <h1><xsl:call-template name="t"><xsl:with-param name="id" select="'error'"/></xsl:call-template>
      <xsl:text> </xsl:text><xsl:value-of select="@status"/></h1>
    <p>
      <xsl:choose>
        <xsl:when test="@status = '404'"><xsl:call-template name="t"><xsl:with-param name="id" select="'not-found'"/></xsl:call-template></xsl:when>
        <xsl:otherwise><xsl:call-template name="t"><xsl:with-param name="id" select="'unavailable'"/></xsl:call-template></xsl:otherwise>
      </xsl:choose>
    </p>
    <p><a href="/{$q}"><xsl:call-template name="t"><xsl:with-param name="id" select="'back'"/></xsl:call-template></a></p>
  </xsl:template>
</xsl:stylesheet>
